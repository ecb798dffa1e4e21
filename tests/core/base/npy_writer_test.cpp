#include "core/base/npy_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo {
namespace {

TEST(NpyWriterTest, HeaderIsAlignedAndDescribesTheArray) {
  const uint8_t data[6] = {1, 2, 3, 4, 5, 6};
  const std::string npy = encode_npy("|u1", {1, 2, 3}, data, sizeof(data));
  ASSERT_EQ(npy.substr(0, 6), "\x93NUMPY");
  const size_t header_len = static_cast<uint8_t>(npy[8]) | (static_cast<uint8_t>(npy[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  const std::string header = npy.substr(10, header_len);
  EXPECT_NE(header.find("'descr': '|u1'"), std::string::npos);
  EXPECT_NE(header.find("'shape': (1, 2, 3)"), std::string::npos);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(npy.substr(10 + header_len), std::string(reinterpret_cast<const char*>(data), 6));
}

TEST(NpyWriterTest, OneDimensionalShapeHasTrailingComma) {
  const float v[2] = {1.0f, 2.0f};
  const std::string npy = encode_npy("<f4", {2}, v, sizeof(v));
  EXPECT_NE(npy.find("'shape': (2, )"), std::string::npos);
}

TEST(FileIoTest, AtomicWriteThenRead) {
  const auto dir = std::filesystem::temp_directory_path() / "clippo_file_io_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "x.bin").string();
  write_file_atomically(path, std::string("abc\0def", 7));
  EXPECT_EQ(read_file(path), std::string("abc\0def", 7));
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename(), "x.bin") << "a temporary file was left behind";
  }
  // Concurrent writers of one path each finish, and the file holds one of their contents.
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) write_file_atomically(path, std::string(100, static_cast<char>('a' + t)));
    });
  }
  for (auto& w : writers) w.join();
  const std::string last = read_file(path);
  EXPECT_EQ(last.size(), 100u);
  EXPECT_EQ(last, std::string(100, last[0]));
  EXPECT_THROW(read_file(path, 3), Error);
  try {
    read_file((dir / "missing").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
  std::filesystem::remove_all(dir);
}

TEST(FileIoTest, RemoveTreeDeletesEverythingButFollowsNoLinks) {
  const auto base = std::filesystem::temp_directory_path() / ("clippo_remove_tree_" + std::to_string(::getpid()));
  std::filesystem::create_directories(base / "tree" / "a" / "b");
  std::filesystem::create_directories(base / "outside");
  write_file_atomically((base / "outside" / "keep.txt").string(), "keep");
  write_file_atomically((base / "tree" / "a" / "b" / "f.bin").string(), "x");
  std::filesystem::create_directory_symlink(base / "outside", base / "tree" / "link");
  remove_tree((base / "tree").string());
  EXPECT_FALSE(std::filesystem::exists(base / "tree"));
  EXPECT_EQ(read_file((base / "outside" / "keep.txt").string()), "keep");  // the link's target survives
  remove_tree((base / "does-not-exist").string());                          // not an error
  remove_tree(base.string());
  EXPECT_FALSE(std::filesystem::exists(base));
}

}  // namespace
}  // namespace clippo
