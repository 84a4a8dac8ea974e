/* check_heap.c -- Check tests for runtime/heap.c: ordering by (when, seq), removal, growth */
#include "check_runtime.h"
#include "check_util.h"
#include "heap.h"
#include "loop.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* A timer that remembers the order it was pushed in, to check stability. */
struct entry {
	struct aio_timer timer;
	size_t pushed;
};

static struct entry *entry_of(struct aio_timer *timer)
{
	return aio_container_of(timer, struct entry, timer);
}

/* Deterministic, so a failure can be replayed. */
static uint32_t rng_state;

static uint32_t rng_next(void)
{
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static void shuffle(size_t *order, size_t n)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_next() % i;
		size_t tmp = order[i - 1];
		order[i - 1] = order[j];
		order[j] = tmp;
	}
}

static int before(const struct aio_timer *a, const struct aio_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

/*
 * ck_assert records a checkpoint on every call, which is far too slow for
 * loops over thousands of timers; this only reports failures.
 */
#define REQUIRE(cond, ...)                        \
	do {                                      \
		if (!(cond))                      \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* Every slot knows its index and no child comes before its parent. */
static void check_invariants(const struct aio_heap *heap)
{
	REQUIRE(heap->len <= heap->cap, "len %zu over cap %zu", heap->len, heap->cap);
	for (size_t i = 0; i < heap->len; i++) {
		REQUIRE(heap->items[i]->heap_index == i,
			"slot %zu says it is at %zu", i, heap->items[i]->heap_index);
		REQUIRE(i == 0 || !before(heap->items[i], heap->items[(i - 1) / 2]),
			"slot %zu comes before its parent", i);
	}
}

static void push_entry(struct aio_heap *heap, struct entry *e, double when,
		       size_t pushed)
{
	aio_timer_init(&e->timer);
	e->timer.when = when;
	e->pushed = pushed;
	REQUIRE(aio_heap_push(heap, &e->timer) == 0, "push %zu failed", pushed);
	REQUIRE(e->timer.heap_index != AIO_TIMER_IDLE, "push %zu left it idle", pushed);
}

static struct entry *pop(struct aio_heap *heap)
{
	struct aio_timer *top = aio_heap_top(heap);
	if (!top)
		return NULL;
	aio_heap_remove(heap, top);
	REQUIRE(top->heap_index == AIO_TIMER_IDLE, "removed timer not idle");
	return entry_of(top);
}

/*
 * Pops everything, checking (when, push order) never goes backwards, and
 * the heap's shape after every `every`-th pop.
 */
static size_t pop_all_in_order(struct aio_heap *heap, size_t every)
{
	struct entry *prev = NULL, *e;
	size_t n = 0;
	while ((e = pop(heap))) {
		REQUIRE(!prev || prev->timer.when < e->timer.when ||
			(prev->timer.when == e->timer.when && prev->pushed < e->pushed),
			"pop %zu: (%g, #%zu) after (%g, #%zu)", n, e->timer.when,
			e->pushed, prev->timer.when, prev->pushed);
		if (n % every == 0)
			check_invariants(heap);
		prev = e;
		n++;
	}
	ck_assert_uint_eq(heap->len, 0);
	return n;
}

START_TEST(test_heap_empty)
{
	struct aio_heap heap = {0};
	ck_assert_ptr_null(aio_heap_top(&heap));
	aio_heap_destroy(&heap);
	ck_assert_ptr_null(heap.items);
	ck_assert_uint_eq(heap.len, 0);
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_reuse_after_destroy)
{
	struct aio_heap heap = {0};
	struct entry a, b;
	push_entry(&heap, &a, 1.0, 0);
	aio_heap_destroy(&heap);
	push_entry(&heap, &b, 2.0, 1);
	ck_assert_ptr_eq(aio_heap_top(&heap), &b.timer);
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_top_is_earliest)
{
	static const double whens[] = {5, 3, 8, 1, 9, 2, 7};
	struct entry e[7];
	struct aio_heap heap = {0};
	double least = 100;
	for (size_t i = 0; i < 7; i++) {
		push_entry(&heap, &e[i], whens[i], i);
		if (whens[i] < least)
			least = whens[i];
		ck_assert_double_eq(aio_heap_top(&heap)->when, least);
		check_invariants(&heap);
	}
	ck_assert_uint_eq(pop_all_in_order(&heap, 1), 7);
	ck_assert_ptr_null(aio_heap_top(&heap));
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_push_stamps_sequence)
{
	struct entry e[4];
	struct aio_heap heap = {0};
	for (size_t i = 0; i < 4; i++)
		push_entry(&heap, &e[i], 1.0, i);
	for (size_t i = 1; i < 4; i++)
		ck_assert_uint_gt(e[i].timer.seq, e[i - 1].timer.seq);
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_order_equal_deadlines)
{
	struct entry e[10];
	struct aio_heap heap = {0};
	for (size_t i = 0; i < 10; i++)
		push_entry(&heap, &e[i], 4.0, i);
	for (size_t i = 0; i < 10; i++)
		ck_assert_ptr_eq(pop(&heap), &e[i]);
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_order_repush_goes_last)
{
	struct entry e[3];
	struct aio_heap heap = {0};
	for (size_t i = 0; i < 3; i++)
		push_entry(&heap, &e[i], 1.0, i);
	aio_heap_remove(&heap, &e[0].timer);
	push_entry(&heap, &e[0], 1.0, 3);
	ck_assert_ptr_eq(pop(&heap), &e[1]);
	ck_assert_ptr_eq(pop(&heap), &e[2]);
	ck_assert_ptr_eq(pop(&heap), &e[0]);
	aio_heap_destroy(&heap);
}
END_TEST

#define STABLE_N 200

/*
 * Many timers over few deadlines, removed in a random order. After each
 * removal the heap's shape is checked; and for every number k of removals,
 * a heap built afresh with the first k removed pops exactly the survivors,
 * by deadline and then insertion order.
 */
START_TEST(test_heap_order_random_removal)
{
	static struct entry e[STABLE_N];
	static double whens[STABLE_N];
	static size_t removal[STABLE_N];
	static int removed[STABLE_N];
	struct aio_heap heap = {0};
	rng_state = 0x9e3779b9u;
	for (size_t i = 0; i < STABLE_N; i++)
		whens[i] = (double)(rng_next() % 8);
	shuffle(removal, STABLE_N);

	for (size_t i = 0; i < STABLE_N; i++)
		push_entry(&heap, &e[i], whens[i], i);
	check_invariants(&heap);
	for (size_t k = 0; k < STABLE_N; k++) {
		aio_heap_remove(&heap, &e[removal[k]].timer);
		REQUIRE(e[removal[k]].timer.heap_index == AIO_TIMER_IDLE,
			"removal %zu left the timer armed", k);
		REQUIRE(heap.len == STABLE_N - k - 1, "removal %zu: len %zu", k, heap.len);
		check_invariants(&heap);
	}
	ck_assert_ptr_null(aio_heap_top(&heap));
	aio_heap_destroy(&heap);

	for (size_t k = 0; k <= STABLE_N; k++) {
		struct aio_heap fresh = {0};
		for (size_t i = 0; i < STABLE_N; i++) {
			removed[i] = 0;
			push_entry(&fresh, &e[i], whens[i], i);
		}
		for (size_t r = 0; r < k; r++) {
			removed[removal[r]] = 1;
			aio_heap_remove(&fresh, &e[removal[r]].timer);
		}
		/* The survivors, in (when, insertion) order, must pop in turn. */
		for (int w = 0; w < 8; w++)
			for (size_t i = 0; i < STABLE_N; i++)
				if (!removed[i] && whens[i] == (double)w)
					REQUIRE(pop(&fresh) == &e[i],
						"after %zu removals, #%zu out of order", k, i);
		REQUIRE(!aio_heap_top(&fresh), "after %zu removals, extra timers", k);
		aio_heap_destroy(&fresh);
	}
}
END_TEST

START_TEST(test_heap_remove_only)
{
	struct entry a;
	struct aio_heap heap = {0};
	push_entry(&heap, &a, 1.0, 0);
	aio_heap_remove(&heap, &a.timer);
	ck_assert_uint_eq(a.timer.heap_index, AIO_TIMER_IDLE);
	ck_assert_ptr_null(aio_heap_top(&heap));
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_remove_last)
{
	struct entry e[5];
	struct aio_heap heap = {0};
	for (size_t i = 0; i < 5; i++)
		push_entry(&heap, &e[i], (double)i, i);
	struct aio_timer *last = heap.items[heap.len - 1];
	aio_heap_remove(&heap, last);
	ck_assert_uint_eq(last->heap_index, AIO_TIMER_IDLE);
	ck_assert_uint_eq(heap.len, 4);
	check_invariants(&heap);
	for (size_t i = 0; i < 4; i++)
		ck_assert_ptr_eq(pop(&heap), &e[i]);
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_remove_top)
{
	struct entry e[6];
	struct aio_heap heap = {0};
	for (size_t i = 0; i < 6; i++)
		push_entry(&heap, &e[i], (double)(6 - i), i);
	ck_assert_ptr_eq(aio_heap_top(&heap), &e[5].timer);
	aio_heap_remove(&heap, &e[5].timer);
	check_invariants(&heap);
	ck_assert_ptr_eq(aio_heap_top(&heap), &e[4].timer);
	ck_assert_uint_eq(pop_all_in_order(&heap, 1), 5);
	aio_heap_destroy(&heap);
}
END_TEST

START_TEST(test_heap_remove_middle)
{
	struct entry e[7];
	struct aio_heap heap = {0};
	for (size_t i = 0; i < 7; i++)
		push_entry(&heap, &e[i], (double)i, i);
	aio_heap_remove(&heap, &e[3].timer);
	check_invariants(&heap);
	static const size_t expect[] = {0, 1, 2, 4, 5, 6};
	for (size_t i = 0; i < 6; i++)
		ck_assert_ptr_eq(pop(&heap), &e[expect[i]]);
	aio_heap_destroy(&heap);
}
END_TEST

/*
 * Pushing 0, 10, 1, 11, 12, 2, 3 lays the array out as given; removing 11
 * (slot 3) moves 3 from the other subtree under 10, so it must sift up.
 */
START_TEST(test_heap_remove_sifts_up)
{
	static const double whens[] = {0, 10, 1, 11, 12, 2, 3};
	struct entry e[7];
	struct aio_heap heap = {0};
	for (size_t i = 0; i < 7; i++)
		push_entry(&heap, &e[i], whens[i], i);
	ck_assert_ptr_eq(heap.items[3], &e[3].timer);
	aio_heap_remove(&heap, &e[3].timer);
	check_invariants(&heap);
	ck_assert_ptr_eq(heap.items[1], &e[6].timer);
	static const size_t expect[] = {0, 2, 5, 6, 1, 4};
	for (size_t i = 0; i < 6; i++)
		ck_assert_ptr_eq(pop(&heap), &e[expect[i]]);
	aio_heap_destroy(&heap);
}
END_TEST

#define GROWTH_N 5000

START_TEST(test_heap_growth)
{
	struct entry *e = calloc(GROWTH_N, sizeof *e);
	ck_assert_ptr_nonnull(e);
	struct aio_heap heap = {0};
	rng_state = 12345;
	for (size_t i = 0; i < GROWTH_N; i++)
		push_entry(&heap, &e[i], (double)(rng_next() % 1000), i);
	ck_assert_uint_eq(heap.len, GROWTH_N);
	ck_assert_uint_ge(heap.cap, GROWTH_N);
	check_invariants(&heap);
	/* Every timer still knows where it is after all the reallocations. */
	for (size_t i = 0; i < GROWTH_N; i++)
		REQUIRE(heap.items[e[i].timer.heap_index] == &e[i].timer,
			"timer #%zu lost its slot", i);
	ck_assert_uint_eq(pop_all_in_order(&heap, 250), GROWTH_N);
	aio_heap_destroy(&heap);
	free(e);
}
END_TEST

/* A NaN deadline stays out: it would stop every timer coming out. */
START_TEST(test_heap_push_nan_refused)
{
	struct entry e[3];
	struct aio_heap heap = {0};
	push_entry(&heap, &e[0], 2.0, 0);
	aio_timer_init(&e[1].timer);
	e[1].timer.when = 0.0 / 0.0;
	ck_assert_int_eq(aio_heap_push(&heap, &e[1].timer), -EINVAL);
	ck_assert_uint_eq(e[1].timer.heap_index, AIO_TIMER_IDLE);
	push_entry(&heap, &e[2], 1.0, 2);
	ck_assert_uint_eq(heap.len, 2);
	check_invariants(&heap);
	ck_assert_uint_eq(pop_all_in_order(&heap, 1), 2);
	aio_heap_destroy(&heap);
}
END_TEST

Suite *heap_suite(void)
{
	Suite *s = suite_create("heap");
	TCase *tc = check_tcase(s, "core", NULL, NULL, 5);
	tcase_add_test(tc, test_heap_empty);
	tcase_add_test(tc, test_heap_reuse_after_destroy);
	tcase_add_test(tc, test_heap_top_is_earliest);
	tcase_add_test(tc, test_heap_push_stamps_sequence);
	tcase_add_test(tc, test_heap_growth);
	tcase_add_test(tc, test_heap_push_nan_refused);

	tc = check_tcase(s, "order", NULL, NULL, 5);
	tcase_add_test(tc, test_heap_order_equal_deadlines);
	tcase_add_test(tc, test_heap_order_repush_goes_last);
	tcase_add_test(tc, test_heap_order_random_removal);

	tc = check_tcase(s, "remove", NULL, NULL, 5);
	tcase_add_test(tc, test_heap_remove_only);
	tcase_add_test(tc, test_heap_remove_last);
	tcase_add_test(tc, test_heap_remove_top);
	tcase_add_test(tc, test_heap_remove_middle);
	tcase_add_test(tc, test_heap_remove_sifts_up);
	return s;
}
