// Tiny C helpers for what Swift cannot spell, one header per job; this one includes them all.
#ifndef SOFTMAXKIT_SHIMS_H
#define SOFTMAXKIT_SHIMS_H

#include "ShimsConfig.h"
#include "VectorMemory.h"
#include "Reductions.h"
#include "Transpose.h"
#include "Atomics.h"
#include "GemmTile.h"
#include "CPUID.h"

#endif
