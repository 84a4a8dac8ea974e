/* check_main.c -- runs every runtime unit suite and prints "N passed, M failed" */
#include "check_runtime.h"

#include <stdio.h>

int main(void)
{
	SRunner *runner = srunner_create(heap_suite());
	srunner_add_suite(runner, loop_suite());
	srunner_add_suite(runner, signals_suite());
	srunner_add_suite(runner, pool_suite());
	srunner_add_suite(runner, workers_suite());
	srunner_add_suite(runner, resolve_suite());
	srunner_add_suite(runner, buf_suite());
	srunner_add_suite(runner, sock_suite());
	srunner_add_suite(runner, stream_suite());
	srunner_add_suite(runner, stream_connect_suite());
	srunner_add_suite(runner, listener_suite());
	srunner_add_suite(runner, mailbox_suite());
	srunner_add_suite(runner, process_suite());
	srunner_add_suite(runner, process_stop_suite());
	srunner_add_suite(runner, filewatch_suite());
	srunner_add_suite(runner, ticker_suite());
	srunner_add_suite(runner, fdwatch_suite());
	srunner_add_suite(runner, control_suite());
	srunner_add_suite(runner, lag_suite());
	srunner_add_suite(runner, dgram_suite());
	srunner_add_suite(runner, tls_suite());
	srunner_add_suite(runner, curl_suite());
	srunner_run_all(runner, CK_NORMAL);
	int failed = srunner_ntests_failed(runner);
	int passed = srunner_ntests_run(runner) - failed;
	srunner_free(runner);
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
