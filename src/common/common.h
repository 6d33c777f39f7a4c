/*
 * common.h — everything in common/, for modules that want all of it.
 */
#ifndef BASALT_COMMON_COMMON_H
#define BASALT_COMMON_COMMON_H

#include "common/alloc.h"
#include "common/arena.h"
#include "common/basics.h"
#include "common/buffer.h"
#include "common/cast.h"
#include "common/config.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/strview.h"
#include "common/threadpool.h"
#include "common/types.h"
#include "common/value.h"
#include "common/vector.h"

#endif
