/* Internal to libSoftmaxKitC: not part of the C interface (softmaxkit.h). */
#ifndef SOFTMAXKIT_INTERNAL_H
#define SOFTMAXKIT_INTERNAL_H

#include "softmaxkit.h"

/** Records `message` as the calling thread's last error (sk_last_error). */
void sk__set_last_error(const char *message);

#endif /* SOFTMAXKIT_INTERNAL_H */
