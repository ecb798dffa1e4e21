// Whole-file helpers: folders made or one clear error, atomic writes, bounded reads, trees removed
// without following links.
#include "core/base/file_io.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/base/error.h"
#include "tests/datasets/temp_dir.h"

namespace clippo {
namespace {

using datasets::testing::TempDir;
namespace fs = std::filesystem;

TEST(FileIoTest, MakeDirectoriesCreatesParentsAndAcceptsAnExistingFolder) {
  TempDir dir;
  const std::string deep = dir / "a/b/c";
  make_directories(deep);
  EXPECT_TRUE(fs::is_directory(deep));
  make_directories(deep);  // already there: nothing to do
  EXPECT_TRUE(fs::is_directory(deep));
}

TEST(FileIoTest, MakeDirectoriesBlockedByAFileIsOneUnavailableErrorNamingTheFolder) {
  TempDir dir;
  write_file_atomically(dir / "file", "x");
  const std::string blocked = dir / "file/sub";
  try {
    make_directories(blocked);
    FAIL() << "created a folder under a file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(e.what()).find("cannot create '" + blocked + "'"), std::string::npos) << e.what();
  }
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
  try {
    read_file(path, 3);
    FAIL() << "read past the limit";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  }
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
