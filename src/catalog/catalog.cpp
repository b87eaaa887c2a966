// Catalog sources without network (bundled, file) and the atomic snapshot holder.
#include "catalog/catalog.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace onboardd::catalog {

core::Result<std::shared_ptr<const Snapshot>> LoadBundled() {
  return Snapshot::Parse(BundledCatalogJson());
}

core::Result<std::shared_ptr<const Snapshot>> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string reason = std::strerror(errno);
    return core::MakeError(core::ErrorCode::kInternal,
                           {"No se puede leer el catálogo " + path + ": " + reason,
                            "Cannot read the catalog file " + path + ": " + reason});
  }
  std::ostringstream text;
  text << in.rdbuf();
  return Snapshot::Parse(text.str());
}

core::Result<std::shared_ptr<const Snapshot>> LoadConfigured(const std::string& catalog_file) {
  return catalog_file.empty() ? LoadBundled() : LoadFile(catalog_file);
}

Catalog::Catalog(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {
  if (current_.load() == nullptr) throw std::invalid_argument("Catalog needs a snapshot");
}

std::shared_ptr<const Snapshot> Catalog::Replace(std::shared_ptr<const Snapshot> next) {
  if (next == nullptr) throw std::invalid_argument("Catalog::Replace needs a snapshot");
  return current_.exchange(std::move(next), std::memory_order_acq_rel);
}

}  // namespace onboardd::catalog
