// The parts of the system libcrypto Rumor uses: AES-GCM and SHA-256
// through the EVP interface, and RAND_bytes for nonces. Nothing else from OpenSSL is
// imported.
#ifndef RUMOR_COPENSSL_SHIM_H
#define RUMOR_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif
