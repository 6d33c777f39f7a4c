/* libFuzzer target: the plan-fragment decoder, and re-encoding what it accepts. */
#include "planner/planner.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena *arena = arena_create(NULL, NULL, 0);
    if (!arena) return 0;
    Error err = ERROR_INIT;
    PlanFragment *f;
    if (fragment_deserialize(data, size, arena, &f, &err) == BS_OK) {
        Buffer b;
        buffer_init(&b);
        if (fragment_serialize(f, &b, &err) != BS_OK) error_clear(&err);
        QueryPlan plan = {.n_fragments = 1, .fragments = &f};
        planner_explain(&plan, &b);
        planner_explain_as(&plan, EXPLAIN_LOGICAL, &b);
        planner_explain_as(&plan, EXPLAIN_DISTRIBUTED, &b);
        buffer_free(&b);
    }
    error_clear(&err);
    arena_destroy(arena);
    return 0;
}
