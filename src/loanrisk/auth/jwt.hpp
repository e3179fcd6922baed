#pragma once
// JSON Web Tokens as an identity provider signs them (RFC 7515/7519): the compact form split and
// decoded, public keys read from a JWK Set (RFC 7517), and RS256/ES256 signatures checked with
// OpenSSL. Only asymmetric algorithms: "none" and HMAC tokens are refused, since a verifier that
// accepts them lets anyone who knows the public key (or nobody) mint tokens.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loanrisk/core/error.hpp"

namespace loanrisk::auth {

/// A token that does not prove who sent it: malformed, badly signed, expired, for another
/// audience. The server answers 401 with the message, which never quotes the token.
class TokenError : public Error {
 public:
  using Error::Error;
};

/// One public signing key of a JWK Set.
struct Jwk {
  std::string kid;
  std::string alg;            ///< "RS256" or "ES256": the one algorithm this key may verify
  std::shared_ptr<void> key;  ///< an EVP_PKEY*, freed with EVP_PKEY_free
};

/// The signing keys of a JWKS document usable for RS256 (RSA of at least 2048 bits) or ES256
/// (EC P-256); keys for encryption, other curves or algorithms are skipped. TokenError when the
/// text is not a JWK Set, or an RSA/EC signing key in it is malformed.
std::vector<Jwk> parse_jwks(std::string_view text);

/// A compact JWS split into its parts; nothing verified yet.
struct Jws {
  nlohmann::json header;
  nlohmann::json claims;
  std::string signing_input;  ///< "<header>.<payload>" as sent, the bytes the signature covers
  std::string signature;      ///< decoded
};

/// Splits and decodes a compact JWS (three base64url parts, JSON objects in the first two).
/// TokenError otherwise; tokens over 16 KiB are refused before any decoding.
Jws decode_jws(std::string_view token);

/// True when signature is a valid signature of signing_input by key under the key's algorithm.
bool verify_signature(const Jwk& key, std::string_view signing_input, std::string_view signature);

/// base64url without padding (RFC 7515 section 2), strictly: TokenError on any other character.
std::string base64url_decode(std::string_view text, std::string_view what);

}  // namespace loanrisk::auth
