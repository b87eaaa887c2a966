// The live catalog: the current immutable Snapshot behind an atomic shared_ptr, so a loader
// (start-up, and later the Edge Config poller) can replace it while request threads keep
// reading whatever snapshot they already hold. Also the loaders of the two sources that need
// no network: the bundled document compiled into the binary and an override file.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "catalog/snapshot.hpp"
#include "core/result.hpp"

namespace onboardd::catalog {

// The catalog JSON bundled in the repo (catalog/catalog.json), embedded at build time.
std::string_view BundledCatalogJson();

// Parses the bundled document. An error means the repository's own catalog is broken (a
// test catches that), reported as Snapshot::Parse does.
core::Result<std::shared_ptr<const Snapshot>> LoadBundled();

// Reads and parses `path`. Errors (kInternal): the file cannot be read (message names the
// path and the OS error), or anything Snapshot::Parse refuses. Blocking file I/O: call at
// start-up, not on an I/O thread.
core::Result<std::shared_ptr<const Snapshot>> LoadFile(const std::string& path);

// LoadFile(catalog_file), or LoadBundled() when catalog_file is empty (the CATALOG_FILE
// setting).
core::Result<std::shared_ptr<const Snapshot>> LoadConfigured(const std::string& catalog_file);

class Catalog {
 public:
  // `initial` must not be null.
  explicit Catalog(std::shared_ptr<const Snapshot> initial);
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // The current snapshot; hold the returned pointer for the whole request so every read sees
  // one consistent version. Thread-safe, never blocks on a writer. (libstdc++ implements the
  // atomic shared_ptr with a spin bit held for a few instructions, no mutex, no syscall.)
  std::shared_ptr<const Snapshot> Current() const {
    return current_.load(std::memory_order_acquire);
  }

  // Replaces the snapshot (already validated: Snapshot only exists valid). Readers holding
  // the old one keep it alive until they drop it. Thread-safe. Returns the previous one.
  std::shared_ptr<const Snapshot> Replace(std::shared_ptr<const Snapshot> next);

 private:
  // The only mutable member; every access is atomic.
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace onboardd::catalog
