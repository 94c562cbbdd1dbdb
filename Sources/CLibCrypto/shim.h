#ifndef MFA_BATCH_CLIBCRYPTO_SHIM_H
#define MFA_BATCH_CLIBCRYPTO_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>

#endif
