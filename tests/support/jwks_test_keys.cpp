// TestKey on OpenSSL 3's EVP_PKEY_Q_keygen and EVP_DigestSign.
#include "support/jwks_test_keys.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <stdexcept>

namespace onboardd::test {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

std::string BnParam(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* bn = nullptr;
  Check(EVP_PKEY_get_bn_param(key, name, &bn) == 1, name);
  std::string out(pad > 0 ? pad : BN_num_bytes(bn), '\0');
  if (pad > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  BN_free(bn);
  return out;
}

}  // namespace

// An encoder independent of auth/base64url.cpp, so tests do not check it against itself.
std::string B64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63];
  return out;
}

TestKey TestKey::Generate(KeyType type, std::string kid) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::kEcP256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyType::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
    case KeyType::kEd25519:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  Check(key != nullptr, "keygen");
  return TestKey(type, std::move(kid), std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

std::string TestKey::alg() const {
  switch (type_) {
    case KeyType::kEcP256:
      return "ES256";
    case KeyType::kRsa2048:
      return "RS256";
    case KeyType::kEd25519:
      return "EdDSA";
  }
  return "";
}

boost::json::object TestKey::Jwk() const {
  boost::json::object jwk{{"kid", kid_}, {"alg", alg()}, {"use", "sig"}};
  switch (type_) {
    case KeyType::kEcP256:
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] = B64(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32));
      jwk["y"] = B64(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32));
      break;
    case KeyType::kRsa2048:
      jwk["kty"] = "RSA";
      jwk["n"] = B64(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0));
      jwk["e"] = B64(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0));
      break;
    case KeyType::kEd25519: {
      unsigned char raw[32];
      size_t length = sizeof(raw);
      Check(EVP_PKEY_get_raw_public_key(key_.get(), raw, &length) == 1, "raw public key");
      jwk["kty"] = "OKP";
      jwk["crv"] = "Ed25519";
      jwk["x"] = B64(std::string(reinterpret_cast<char*>(raw), length));
      break;
    }
  }
  return jwk;
}

std::string TestKey::PublicKeyDer() const {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key_.get(), &der);
  Check(length > 0, "i2d_PUBKEY");
  std::string out(reinterpret_cast<char*>(der), length);
  OPENSSL_free(der);
  return out;
}

std::string TestKey::PublicKeyPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PUBKEY(bio, key_.get()) == 1, "PEM_write_bio_PUBKEY");
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, length);
  BIO_free(bio);
  return out;
}

std::string TestKey::SignBytes(std::string_view signing_input, bool der_ecdsa) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md = type_ == KeyType::kEd25519 ? nullptr : EVP_sha256();
  Check(EVP_DigestSignInit(ctx, nullptr, md, nullptr, key_.get()) == 1, "DigestSignInit");
  size_t length = 0;
  const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
  Check(EVP_DigestSign(ctx, nullptr, &length, input, signing_input.size()) == 1, "DigestSign");
  std::string signature(length, '\0');
  Check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length, input,
                       signing_input.size()) == 1,
        "DigestSign");
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  if (type_ != KeyType::kEcP256 || der_ecdsa) return signature;
  const auto* p = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size()));
  Check(sig != nullptr, "d2i_ECDSA_SIG");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string TestKey::Sign(boost::json::object header, const boost::json::object& claims,
                          bool der_ecdsa) const {
  if (!header.contains("alg")) header["alg"] = alg();
  if (!header.contains("kid")) header["kid"] = kid_;
  const std::string input = SigningInput(header, claims);
  return Assemble(input, SignBytes(input, der_ecdsa));
}

std::string JwksJson(const std::vector<const TestKey*>& keys) {
  boost::json::array array;
  for (const TestKey* key : keys) array.emplace_back(key->Jwk());
  return boost::json::serialize(boost::json::object{{"keys", std::move(array)}});
}

std::string SigningInput(const boost::json::object& header, const boost::json::object& claims) {
  return B64(boost::json::serialize(header)) + "." + B64(boost::json::serialize(claims));
}

std::string Assemble(std::string_view signing_input, std::string_view signature) {
  return std::string(signing_input) + "." + B64(signature);
}

boost::json::object GoodClaims(std::string_view issuer, std::string_view audience,
                               long long ttl_seconds) {
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  return boost::json::object{{"sub", "user-123"},       {"email", "ana@example.com"},
                             {"name", "Ana Pérez"},     {"iss", issuer},
                             {"aud", audience},         {"iat", now},
                             {"exp", now + ttl_seconds}};
}

}  // namespace onboardd::test
