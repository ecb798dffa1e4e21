// Whole-file helpers: folders made or one clear error, trees removed, reads bounded.
#include "core/base/file_io.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

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

TEST(FileIoTest, RemoveTreeDeletesEverythingAndIgnoresAMissingPath) {
  TempDir dir;
  make_directories(dir / "t/u");
  write_file_atomically(dir / "t/u/f", "bytes");
  write_file_atomically(dir / "t/g", "bytes");
  remove_tree(dir / "t");
  EXPECT_FALSE(fs::exists(dir / "t"));
  remove_tree(dir / "t");  // gone already: not an error
}

TEST(FileIoTest, ReadFileReturnsTheBytesAndRefusesWhatIsMissingOrTooLarge) {
  TempDir dir;
  write_file_atomically(dir / "f", std::string("a\0b", 3));
  EXPECT_EQ(read_file(dir / "f"), std::string("a\0b", 3));
  try {
    read_file(dir / "f", 2);
    FAIL() << "read past the limit";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kResourceExhausted);
  }
  try {
    read_file(dir / "missing");
    FAIL() << "read a missing file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

}  // namespace
}  // namespace clippo
