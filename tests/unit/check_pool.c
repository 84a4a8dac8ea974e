/* check_pool.c -- unit tests of runtime/pool.c: size classes, reuse, realloc, large blocks */
#include "check_runtime.h"
#include "check_util.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

static struct aio_pool *pool;

static void setup(void)
{
	pool = aio_pool_new();
	ck_assert_ptr_nonnull(pool);
}

static void teardown(void)
{
	aio_pool_free(pool);
	pool = NULL;
}

static void *alloc(void *ptr, size_t osize, size_t nsize)
{
	return aio_pool_alloc(pool, ptr, osize, nsize);
}

START_TEST(test_pool_alloc_is_aligned_and_writable)
{
	for (size_t size = 1; size <= AIO_POOL_MAX_SMALL + 100; size += 7) {
		unsigned char *p = alloc(NULL, 0, size);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		memset(p, 0xab, size);
		alloc(p, size, 0);
	}
}
END_TEST

START_TEST(test_pool_freed_block_is_reused_by_its_class)
{
	void *a = alloc(NULL, 0, 100);
	alloc(a, 100, 0);
	void *b = alloc(NULL, 0, 112);	/* 97..112 share a class */
	ck_assert_ptr_eq(a, b);
	void *c = alloc(NULL, 0, 113);	/* the next class up */
	ck_assert_ptr_ne(b, c);
	alloc(b, 112, 0);
	alloc(c, 113, 0);
}
END_TEST

START_TEST(test_pool_osize_is_ignored_without_ptr)
{
	/* Lua passes the object's type as osize when ptr is NULL. */
	void *p = alloc(NULL, 5, 40);
	ck_assert_ptr_nonnull(p);
	alloc(p, 40, 0);
}
END_TEST

START_TEST(test_pool_realloc_within_class_keeps_block)
{
	char *p = alloc(NULL, 0, 33);
	strcpy(p, "hello");
	char *q = alloc(p, 33, 48);
	ck_assert_ptr_eq(p, q);
	ck_assert_str_eq(q, "hello");
	alloc(q, 48, 0);
}
END_TEST

START_TEST(test_pool_realloc_across_sizes_keeps_contents)
{
	size_t sizes[] = {8, 200, 1024, 5000, 100000, 700, 3};
	size_t n = sizeof sizes / sizeof *sizes;
	unsigned char *p = alloc(NULL, 0, sizes[0]);
	memset(p, 7, sizes[0]);
	for (size_t i = 1; i < n; i++) {
		size_t keep = sizes[i - 1] < sizes[i] ? sizes[i - 1] : sizes[i];
		p = alloc(p, sizes[i - 1], sizes[i]);
		ck_assert_ptr_nonnull(p);
		for (size_t j = 0; j < keep; j++)
			ck_assert_uint_eq(p[j], 7);
		memset(p, 7, sizes[i]);
	}
	alloc(p, sizes[n - 1], 0);
}
END_TEST

START_TEST(test_pool_large_blocks_bypass_arenas)
{
	size_t before = aio_pool_arena_bytes(pool);
	void *p = alloc(NULL, 0, AIO_POOL_MAX_SMALL + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(aio_pool_arena_bytes(pool), before);
	alloc(p, AIO_POOL_MAX_SMALL + 1, 0);
}
END_TEST

START_TEST(test_pool_grows_by_arenas_and_blocks_stay_distinct)
{
	enum { N = 20000, SIZE = 720 };	/* 14 MB: several arenas */
	static unsigned char *blocks[N];
	for (int i = 0; i < N; i++) {
		blocks[i] = alloc(NULL, 0, SIZE);
		ck_assert_ptr_nonnull(blocks[i]);
		memset(blocks[i], i & 0xff, SIZE);
	}
	ck_assert_uint_gt(aio_pool_arena_bytes(pool), (size_t)N * SIZE);
	for (int i = 0; i < N; i++) {
		ck_assert_uint_eq(blocks[i][0], (unsigned)(i & 0xff));
		ck_assert_uint_eq(blocks[i][SIZE - 1], (unsigned)(i & 0xff));
	}
	size_t grown = aio_pool_arena_bytes(pool);
	for (int i = 0; i < N; i++)
		alloc(blocks[i], SIZE, 0);
	/* Freed blocks are reused: the same load takes no new arena. */
	for (int i = 0; i < N; i++)
		blocks[i] = alloc(NULL, 0, SIZE);
	ck_assert_uint_eq(aio_pool_arena_bytes(pool), grown);
	for (int i = 0; i < N; i++)
		alloc(blocks[i], SIZE, 0);
}
END_TEST

/* An arena is handed out a populated step at a time: every byte of it
 * serves blocks, in one run, and none lies past its end. */
START_TEST(test_pool_arena_serves_whole_and_only_itself)
{
	enum { SIZE = AIO_POOL_MAX_SMALL, MAX = 8192 };
	static unsigned char *blocks[MAX];
	int n = 0;
	blocks[n++] = alloc(NULL, 0, SIZE);
	size_t arena = aio_pool_arena_bytes(pool);
	for (;;) {
		ck_assert_int_lt(n, MAX);
		unsigned char *b = alloc(NULL, 0, SIZE);
		ck_assert_ptr_nonnull(b);
		if (aio_pool_arena_bytes(pool) > arena) {
			alloc(b, SIZE, 0);
			break;
		}
		ck_assert_ptr_eq(b, blocks[n - 1] + SIZE);	/* one run */
		blocks[n++] = b;
	}
	/* A 16-byte header, then blocks up to the arena's end. */
	ck_assert_int_eq(n, (int)((arena - 16) / SIZE));
	for (int i = 0; i < n; i++)
		memset(blocks[i], i & 0xff, SIZE);
	for (int i = 0; i < n; i++) {
		ck_assert_uint_eq(blocks[i][0], (unsigned)(i & 0xff));
		ck_assert_uint_eq(blocks[i][SIZE - 1], (unsigned)(i & 0xff));
		alloc(blocks[i], SIZE, 0);
	}
}
END_TEST

START_TEST(test_pool_free_null_pool_is_harmless)
{
	aio_pool_free(NULL);
}
END_TEST

Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = check_tcase(s, "core", setup, teardown, 5);
	tcase_add_test(tc, test_pool_alloc_is_aligned_and_writable);
	tcase_add_test(tc, test_pool_freed_block_is_reused_by_its_class);
	tcase_add_test(tc, test_pool_osize_is_ignored_without_ptr);
	tcase_add_test(tc, test_pool_free_null_pool_is_harmless);

	tc = check_tcase(s, "resize", setup, teardown, 5);
	tcase_add_test(tc, test_pool_realloc_within_class_keeps_block);
	tcase_add_test(tc, test_pool_realloc_across_sizes_keeps_contents);
	tcase_add_test(tc, test_pool_large_blocks_bypass_arenas);
	tcase_add_test(tc, test_pool_grows_by_arenas_and_blocks_stay_distinct);
	tcase_add_test(tc, test_pool_arena_serves_whole_and_only_itself);
	return s;
}
