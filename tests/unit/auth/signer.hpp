#pragma once
// Keys and tokens made in the test with OpenSSL, for the verifier's edge cases a real provider
// will not produce (alg "none", HMAC with the public key, crit headers, odd claims). The tests
// against a real provider (glewlwyd) are in oidc_provider_test.cpp.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace loanrisk::testing {

inline std::string b64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

/// A private key with its JWK and a way to sign compact JWS.
class Signer {
 public:
  /// alg "RS256" (RSA of `bits`) or "ES256" (P-256).
  Signer(std::string alg, std::string kid, int bits = 2048)
      : alg_(std::move(alg)), kid_(std::move(kid)) {
    EVP_PKEY* k = alg_ == "RS256" ? EVP_RSA_gen(static_cast<unsigned>(bits)) : EVP_EC_gen("P-256");
    if (!k) throw std::runtime_error("key generation failed");
    key_.reset(k, EVP_PKEY_free);
  }

  const std::string& kid() const { return kid_; }

  nlohmann::json jwk() const {
    nlohmann::json j = {{"kid", kid_}, {"use", "sig"}, {"alg", alg_}};
    if (alg_ == "RS256") {
      j["kty"] = "RSA";
      j["n"] = b64url(bn_param(OSSL_PKEY_PARAM_RSA_N, 0));
      j["e"] = b64url(bn_param(OSSL_PKEY_PARAM_RSA_E, 0));
    } else {
      j["kty"] = "EC";
      j["crv"] = "P-256";
      j["x"] = b64url(bn_param(OSSL_PKEY_PARAM_EC_PUB_X, 32));
      j["y"] = b64url(bn_param(OSSL_PKEY_PARAM_EC_PUB_Y, 32));
    }
    return j;
  }

  /// A compact JWS of claims; header fields in `extra_header` are added (or override).
  std::string sign(const nlohmann::json& claims,
                   nlohmann::json extra_header = nlohmann::json::object()) const {
    nlohmann::json header = {{"alg", alg_}, {"typ", "at+jwt"}, {"kid", kid_}};
    header.update(extra_header);
    const std::string input = b64url(header.dump()) + "." + b64url(claims.dump());
    return input + "." + b64url(signature(input));
  }

  std::string signature(const std::string& input) const {
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t len = 0;
    EVP_DigestSignInit(md.get(), nullptr, EVP_sha256(), nullptr, key_.get());
    EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
    if (alg_ == "RS256") return sig;
    // DER ECDSA-Sig-Value to JWS r || s.
    const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string rs(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(rs.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char*>(rs.data()) + 32, 32);
    ECDSA_SIG_free(s);
    return rs;
  }

 private:
  std::string bn_param(const char* name, int pad) const {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key_.get(), name, &bn) != 1) throw std::runtime_error(name);
    std::string out(static_cast<std::size_t>(pad ? pad : BN_num_bytes(bn)), '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
    BN_free(bn);
    return out;
  }

  std::string alg_, kid_;
  std::shared_ptr<EVP_PKEY> key_;
};

/// HS256 over input with secret (the "public key as HMAC secret" attack).
inline std::string hmac_sha256(const std::string& secret, const std::string& input) {
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace loanrisk::testing
