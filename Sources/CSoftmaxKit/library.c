// The parts of libSoftmaxKitC written in C: the version string and the thread's last error message
// behind sk_last_error() (a fixed buffer per thread, so reporting an error never allocates and
// never races with another thread's call).
#include "softmaxkit_internal.h"

#include <string.h>

static _Thread_local char last_error[1024];

const char *sk_version(void) { return SOFTMAXKIT_VERSION; }

const char *sk_last_error(void) { return last_error; }

void sk__set_last_error(const char *message) {
    size_t n = strlen(message);
    if (n >= sizeof last_error) {  // truncate at a UTF-8 character boundary
        n = sizeof last_error - 1;
        while (n > 0 && ((unsigned char)message[n] & 0xC0) == 0x80) n--;
    }
    memcpy(last_error, message, n);
    last_error[n] = 0;
}
