// MakeTestCertificate: a throwaway CA and server certificate, so HTTPS tests exercise real
// chain and hostname verification without touching the system trust store.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

#include "support/fake_http_server.hpp"

namespace onboardd::test {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL: ") + what);
}

void AddExtension(X509* issuer, X509* subject, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(extension != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(subject, extension, -1);
  X509_EXTENSION_free(extension);
}

X509* NewCertificate(EVP_PKEY* key, const char* common_name, long serial) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  return cert;
}

std::string Pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, length);
  BIO_free(bio);
  return out;
}

std::string Pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, length);
  BIO_free(bio);
  return out;
}

}  // namespace

TlsCertificate MakeTestCertificate(const std::vector<std::string>& names) {
  EVP_PKEY* ca_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  EVP_PKEY* leaf_key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  Check(ca_key && leaf_key, "keygen");

  X509* ca = NewCertificate(ca_key, "onboardd test CA", 1);
  X509_set_issuer_name(ca, X509_get_subject_name(ca));
  AddExtension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(ca, ca, NID_subject_key_identifier, "hash");
  Check(X509_sign(ca, ca_key, EVP_sha256()) > 0, "sign CA");

  X509* leaf = NewCertificate(leaf_key, names.empty() ? "server" : names.front().c_str(), 2);
  X509_set_issuer_name(leaf, X509_get_subject_name(ca));
  std::string alt_names;
  for (const auto& name : names) {
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(name, not_an_address);
    if (!alt_names.empty()) alt_names += ',';
    alt_names += (not_an_address ? "DNS:" : "IP:") + name;
  }
  AddExtension(ca, leaf, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(ca, leaf, NID_ext_key_usage, "serverAuth");
  if (!alt_names.empty()) AddExtension(ca, leaf, NID_subject_alt_name, alt_names);
  Check(X509_sign(leaf, ca_key, EVP_sha256()) > 0, "sign leaf");

  TlsCertificate out{Pem(ca), Pem(leaf), Pem(leaf_key)};
  X509_free(leaf);
  X509_free(ca);
  EVP_PKEY_free(leaf_key);
  EVP_PKEY_free(ca_key);
  return out;
}

}  // namespace onboardd::test
