#include "index/write_ahead_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::index {
namespace {

std::string fresh(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("clippo_wal_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / name).string();
  std::filesystem::remove(path);
  return path;
}

std::vector<std::string> replay_all(WriteAheadLog& wal) {
  std::vector<std::string> out;
  wal.replay([&](uint64_t, const std::string& p) { out.push_back(p); });
  return out;
}

TEST(WriteAheadLogTest, AppendsAndReplaysInOrder) {
  const std::string path = fresh("a.log");
  {
    WriteAheadLog wal(path);
    EXPECT_EQ(replay_all(wal).size(), 0u);
    EXPECT_EQ(wal.append({"one", "two"}), 0u);
    EXPECT_EQ(wal.append({std::string("thr\0ee", 6)}), 2u);
  }
  WriteAheadLog wal(path);
  EXPECT_EQ(replay_all(wal), (std::vector<std::string>{"one", "two", std::string("thr\0ee", 6)}));
  EXPECT_EQ(wal.next_sequence(), 3u);
  wal.reset(10);
  EXPECT_EQ(wal.append({"after"}), 10u);
  WriteAheadLog again(path);
  uint64_t first = 0;
  again.replay([&](uint64_t seq, const std::string&) { first = seq; });
  EXPECT_EQ(first, 10u);
}

TEST(WriteAheadLogTest, TornTailIsTruncatedNotFatal) {
  const std::string path = fresh("torn.log");
  {
    WriteAheadLog wal(path);
    replay_all(wal);
    wal.append({"kept", "also kept", "cut short"});
  }
  const std::string bytes = read_file(path);
  for (size_t cut : {size_t{1}, size_t{5}, size_t{9}}) {
    write_file_atomically(path, bytes.substr(0, bytes.size() - cut));
    WriteAheadLog wal(path);
    EXPECT_EQ(replay_all(wal), (std::vector<std::string>{"kept", "also kept"})) << cut;
    wal.append({"new"});
    WriteAheadLog reread(path);
    EXPECT_EQ(replay_all(reread), (std::vector<std::string>{"kept", "also kept", "new"}));
  }
  // A garbled last record (same length, wrong bytes) is a torn tail too.
  std::string garbled = bytes;
  garbled[garbled.size() - 2] ^= 0x55;
  write_file_atomically(path, garbled);
  WriteAheadLog wal(path);
  EXPECT_EQ(replay_all(wal).size(), 2u);
}

TEST(WriteAheadLogTest, DamageBeforeIntactRecordsIsAnError) {
  const std::string path = fresh("corrupt.log");
  {
    WriteAheadLog wal(path);
    replay_all(wal);
    wal.append({"first record", "second record", "third record"});
  }
  std::string bytes = read_file(path);
  bytes[16 + 8 + 2] ^= 0x55;  // inside the first record's payload
  write_file_atomically(path, bytes);
  WriteAheadLog wal(path);
  try {
    replay_all(wal);
    FAIL() << "corruption went unnoticed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt at byte 16"), std::string::npos) << e.what();
  }
  write_file_atomically(path, "not a log at all");
  WriteAheadLog bad(path);
  EXPECT_THROW(replay_all(bad), Error);
}

}  // namespace
}  // namespace clippo::index
