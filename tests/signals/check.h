/* Tiny test harness shared by the signal test programs: CHECK counts, report prints the summary. */
#include <stdio.h>
#include <string.h>
#include <errno.h>

static int passed, failed;

#define CHECK(cond, ...) do { \
    if (cond) passed++; \
    else { failed++; printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static int report(const char *name) {
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    fflush(stdout);
    return failed != 0;
}
