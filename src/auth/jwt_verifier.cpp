// OpenSSL 3 behind VerificationKey: EVP_PKEY built from JWK parameters with
// EVP_PKEY_fromdata (EC, RSA) or raw bytes (Ed25519), verified with EVP_DigestVerify.
#include "auth/jwt_verifier.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include <boost/json/value.hpp>
#include <optional>

#include "auth/base64url.hpp"

namespace onboardd::auth {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

// Fetched once: EVP_sha256() would make OpenSSL 3 look the implementation up (under a lock
// shared by every thread) on each verification.
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md;
}

core::Error Unusable(std::string why) {
  return core::MakeError(core::ErrorCode::kInternal, {.es = why, .en = why});
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::optional<std::string> Param(const boost::json::object& jwk, std::string_view name) {
  const boost::json::value* value = jwk.if_contains(name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return Base64UrlDecode(value->get_string());
}

std::string_view StringMember(const boost::json::object& jwk, std::string_view name) {
  const boost::json::value* value = jwk.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

PkeyPtr FromData(const char* type, OSSL_PARAM_BLD* builder) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder));
  if (!params) return nullptr;
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return nullptr;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) return nullptr;
  PkeyPtr key(raw);
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

PkeyPtr EcP256(std::string_view x, std::string_view y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = "\x04";
  point.append(x).append(y);
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  return FromData("EC", builder.get());
}

PkeyPtr Rsa(std::string_view n, std::string_view e) {
  while (!n.empty() && n.front() == '\0') n.remove_prefix(1);
  while (!e.empty() && e.front() == '\0') e.remove_prefix(1);
  if (n.size() < 256 || n.size() > 1024 || e.empty() || e.size() > 8) return nullptr;
  BnPtr modulus(BN_bin2bn(Bytes(n), static_cast<int>(n.size()), nullptr));
  BnPtr exponent(BN_bin2bn(Bytes(e), static_cast<int>(e.size()), nullptr));
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return nullptr;
  }
  PkeyPtr key = FromData("RSA", builder.get());
  if (key && EVP_PKEY_get_bits(key.get()) < 2048) return nullptr;
  return key;
}

PkeyPtr Ed25519(std::string_view x) {
  if (x.size() != 32) return nullptr;
  return PkeyPtr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(x), x.size()));
}

// JWS ES256 signatures are r‖s, 32 bytes each; OpenSSL wants DER.
std::optional<std::string> RawEcdsaToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(Bytes(raw), 32, nullptr);
  BIGNUM* s = BN_bin2bn(Bytes(raw) + 32, 32, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

struct VerificationKey::Impl {
  std::string kid;
  Algorithm algorithm;
  PkeyPtr key;
};

VerificationKey::VerificationKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VerificationKey::~VerificationKey() = default;
const std::string& VerificationKey::kid() const { return impl_->kid; }
Algorithm VerificationKey::algorithm() const { return impl_->algorithm; }

bool VerificationKey::Verify(Algorithm algorithm, std::string_view signing_input,
                             std::string_view signature) const {
  if (algorithm != impl_->algorithm) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  std::optional<std::string> der;
  switch (algorithm) {
    case Algorithm::kEs256:
      der = RawEcdsaToDer(signature);
      if (!der) return false;
      signature = *der;
      if (EVP_DigestVerifyInit(ctx.get(), nullptr, Sha256Md(), nullptr, impl_->key.get()) != 1) {
        return false;
      }
      break;
    case Algorithm::kRs256:
      if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(impl_->key.get()))) {
        return false;
      }
      if (EVP_DigestVerifyInit(ctx.get(), nullptr, Sha256Md(), nullptr, impl_->key.get()) != 1) {
        return false;
      }
      break;
    case Algorithm::kEdDsa:
      if (signature.size() != 64) return false;
      if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->key.get()) != 1) {
        return false;
      }
      break;
    case Algorithm::kHs256:
      return false;
  }
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(signing_input),
                          signing_input.size()) == 1;
}

core::Result<std::shared_ptr<const VerificationKey>> KeyFromJwk(const boost::json::object& jwk) {
  auto impl = std::make_unique<VerificationKey::Impl>();
  impl->kid = StringMember(jwk, "kid");
  if (impl->kid.empty()) return Unusable("JWK without kid");
  if (jwk.contains("use") && StringMember(jwk, "use") != "sig") {
    return Unusable("JWK not for signatures");
  }
  const std::string_view kty = StringMember(jwk, "kty");
  const std::string_view crv = StringMember(jwk, "crv");
  const std::string_view alg = StringMember(jwk, "alg");
  const bool has_alg = jwk.contains("alg");
  if (kty == "EC" && crv == "P-256") {
    impl->algorithm = Algorithm::kEs256;
    if (has_alg && alg != "ES256") return Unusable("JWK alg does not match its key");
    auto x = Param(jwk, "x");
    auto y = Param(jwk, "y");
    if (x && y) impl->key = EcP256(*x, *y);
  } else if (kty == "RSA") {
    impl->algorithm = Algorithm::kRs256;
    if (has_alg && alg != "RS256") return Unusable("JWK alg does not match its key");
    auto n = Param(jwk, "n");
    auto e = Param(jwk, "e");
    if (n && e) impl->key = Rsa(*n, *e);
  } else if (kty == "OKP" && crv == "Ed25519") {
    impl->algorithm = Algorithm::kEdDsa;
    if (has_alg && alg != "EdDSA" && alg != "Ed25519") {
      return Unusable("JWK alg does not match its key");
    }
    if (auto x = Param(jwk, "x")) impl->key = Ed25519(*x);
  } else {
    return Unusable("unsupported JWK key type");
  }
  if (!impl->key) return Unusable("invalid JWK key parameters");
  return std::make_shared<const VerificationKey>(std::move(impl));
}

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, Sha256Md(), nullptr);
  return digest;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(Sha256Md(), key.data(), static_cast<int>(key.size()), Bytes(data), data.size(), out,
       &length);
  return std::string(reinterpret_cast<char*>(out), length);
}

bool VerifyHs256(std::string_view secret, std::string_view signing_input,
                 std::string_view signature) {
  if (secret.empty() || signature.size() != 32) return false;
  const std::string expected = HmacSha256(secret, signing_input);
  return CRYPTO_memcmp(expected.data(), signature.data(), 32) == 0;
}

}  // namespace onboardd::auth
