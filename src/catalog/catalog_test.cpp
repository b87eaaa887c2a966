#include "catalog/catalog.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

namespace onboardd::catalog {
namespace {

TEST(Catalog, BundledIsEmbedded) {
  EXPECT_GT(BundledCatalogJson().size(), 1000u);
  EXPECT_EQ(BundledCatalogJson().front(), '{');
  EXPECT_TRUE(LoadConfigured(""));
}

TEST(Catalog, LoadFileErrorsNameThePath) {
  auto result = LoadFile("/nonexistent/catalog.json");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, core::ErrorCode::kInternal);
  EXPECT_NE(result.error().message.en.find("/nonexistent/catalog.json"), std::string::npos);
}

TEST(Catalog, LoadFileReadsAnOverride) {
  const std::string path = ::testing::TempDir() + "catalog_override.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << BundledCatalogJson();
  }
  auto result = LoadConfigured(path);
  ASSERT_TRUE(result) << result.error().message.en;
  EXPECT_EQ((*result)->industries().size(), 16u);
  std::remove(path.c_str());
}

TEST(Catalog, ReplaceSwapsWhileReadersRead) {
  auto first = LoadBundled().value();
  auto second = LoadBundled().value();
  Catalog catalog(first);
  EXPECT_EQ(catalog.Current(), first);

  std::atomic<bool> stop{false};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto snapshot = catalog.Current();
        ASSERT_TRUE(snapshot);
        ASSERT_EQ(snapshot->industries().size(), 16u);
        reads.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 200; ++i) catalog.Replace(i % 2 ? first : second);
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(catalog.Replace(second), first);
  EXPECT_EQ(catalog.Current(), second);
  EXPECT_THROW(catalog.Replace(nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace onboardd::catalog
