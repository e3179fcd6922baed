#include "loanrisk/auth/jwt.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "loanrisk/core/text.hpp"

namespace loanrisk::auth {

namespace {

constexpr std::size_t kMaxTokenBytes = 16 * 1024;
constexpr int kMinRsaBits = 2048;

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBuild = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Bignum bignum(const std::string& big_endian) {
  Bignum bn(BN_bin2bn(bytes(big_endian), static_cast<int>(big_endian.size()), nullptr));
  if (!bn) throw InternalError("OpenSSL could not allocate a big number");
  return bn;
}

std::string member(const nlohmann::json& jwk, const char* name, std::string_view kid) {
  const auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw TokenError("JWKS key " + echo_text(kid) + " has no \"" + name + "\" string");
  }
  return *it;
}

/// An EVP_PKEY from OpenSSL 3's provider parameters ("RSA" or "EC").
std::shared_ptr<void> from_params(const char* type, OSSL_PARAM_BLD* build, std::string_view kid) {
  const Params params(OSSL_PARAM_BLD_to_param(build));
  const PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || !key) {
    throw TokenError("JWKS key " + echo_text(kid) + " is not a valid " + type + " public key");
  }
  return {key, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); }};
}

std::shared_ptr<void> rsa_key(const nlohmann::json& jwk, std::string_view kid) {
  const Bignum n = bignum(base64url_decode(member(jwk, "n", kid), "the JWKS key's \"n\""));
  const Bignum e = bignum(base64url_decode(member(jwk, "e", kid), "the JWKS key's \"e\""));
  const ParamBuild build(OSSL_PARAM_BLD_new());
  if (!build || OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    throw InternalError("OpenSSL could not build RSA key parameters");
  }
  std::shared_ptr<void> key = from_params("RSA", build.get(), kid);
  if (EVP_PKEY_get_bits(static_cast<EVP_PKEY*>(key.get())) < kMinRsaBits) {
    throw TokenError("JWKS key " + echo_text(kid) + " is an RSA key shorter than 2048 bits");
  }
  return key;
}

std::shared_ptr<void> ec_key(const nlohmann::json& jwk, std::string_view kid) {
  // RFC 7518 asks for 32 bytes, but some issuers (glewlwyd via GnuTLS) drop leading zero bytes,
  // so a shorter coordinate is read as the big-endian integer it is; OpenSSL then checks the point.
  const auto coordinate = [&](const char* axis) {
    std::string c =
        base64url_decode(member(jwk, axis, kid), "the JWKS key's \"" + std::string(axis) + "\"");
    if (c.size() > 32) {
      throw TokenError("JWKS key " + echo_text(kid) + " has a P-256 \"" + axis +
                       "\" coordinate longer than 32 bytes");
    }
    return std::string(32 - c.size(), '\0') + c;
  };
  std::string point = "\x04" + coordinate("x") + coordinate("y");  // uncompressed SEC1 point
  const ParamBuild build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    throw InternalError("OpenSSL could not build EC key parameters");
  }
  return from_params("EC", build.get(), kid);
}

nlohmann::json json_part(std::string_view part, std::string_view what) {
  const std::string text = base64url_decode(part, what);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw TokenError("the token's " + std::string(what) + " is not a JSON object");
  }
  return j;
}

}  // namespace

std::string base64url_decode(std::string_view text, std::string_view what) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    throw TokenError(std::string(what) + " is not base64url");
  }
  out.resize(len);
  return out;
}

std::vector<Jwk> parse_jwks(std::string_view text) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    throw TokenError("the JWKS document is not a JSON object with a \"keys\" array");
  }
  std::vector<Jwk> keys;
  for (const nlohmann::json& k : doc["keys"]) {
    if (!k.is_object()) continue;
    const auto str = [&](const char* name) {
      const auto it = k.find(name);
      return it != k.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string kty = str("kty"), use = str("use"), alg = str("alg"), kid = str("kid");
    if (!use.empty() && use != "sig") continue;  // encryption keys never verify tokens
    Jwk jwk{kid, "", nullptr};
    if (kty == "RSA" && (alg.empty() || alg == "RS256")) {
      jwk.alg = "RS256";
      jwk.key = rsa_key(k, kid);
    } else if (kty == "EC" && str("crv") == "P-256" && (alg.empty() || alg == "ES256")) {
      jwk.alg = "ES256";
      jwk.key = ec_key(k, kid);
    } else {
      continue;  // another algorithm or curve: not one we verify
    }
    keys.push_back(std::move(jwk));
  }
  return keys;
}

Jws decode_jws(std::string_view token) {
  if (token.size() > kMaxTokenBytes) {
    throw TokenError("the token is longer than 16 KiB");
  }
  const std::size_t a = token.find('.');
  const std::size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    throw TokenError("the token is not a JWT (three base64url parts separated by dots)");
  }
  Jws jws;
  jws.header = json_part(token.substr(0, a), "header");
  jws.claims = json_part(token.substr(a + 1, b - a - 1), "payload");
  jws.signing_input = std::string(token.substr(0, b));
  jws.signature = base64url_decode(token.substr(b + 1), "the token's signature");
  return jws;
}

bool verify_signature(const Jwk& key, std::string_view signing_input, std::string_view signature) {
  std::string der;
  std::string_view sig = signature;
  if (key.alg == "ES256") {
    // JWS carries r || s (32 bytes each); OpenSSL verifies DER-encoded ECDSA-Sig-Value.
    if (signature.size() != 64) return false;
    EcdsaSig s(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(bytes(signature), 32, nullptr);
    BIGNUM* t = BN_bin2bn(bytes(signature) + 32, 32, nullptr);
    if (!s || !r || !t || ECDSA_SIG_set0(s.get(), r, t) != 1) {
      BN_free(r);
      BN_free(t);
      throw InternalError("OpenSSL could not build an ECDSA signature");
    }
    unsigned char* out = nullptr;
    const int len = i2d_ECDSA_SIG(s.get(), &out);
    if (len <= 0) throw InternalError("OpenSSL could not encode an ECDSA signature");
    der.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
    OPENSSL_free(out);
    sig = der;
  } else if (key.alg != "RS256") {
    return false;
  }
  const MdCtx md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr,
                                  static_cast<EVP_PKEY*>(key.key.get())) != 1) {
    throw InternalError("OpenSSL could not start a signature check");
  }
  const bool ok = EVP_DigestVerify(md.get(), bytes(sig), sig.size(), bytes(signing_input),
                                   signing_input.size()) == 1;
  ERR_clear_error();  // a bad signature leaves its reason on this thread's OpenSSL error queue
  return ok;
}

}  // namespace loanrisk::auth
