// The store when the disk fails under it: full (a file size limit, and a real 256 KiB tmpfs),
// read-only, and killed in the middle of a snapshot. In every case a write is either
// acknowledged and kept, or refused with one clear error; searches go on; the store reopens
// with every acknowledged item and nothing else.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "core/base/error.h"
#include "index/collection_store.h"
#include "tests/index/store_test_support.h"

namespace clippo::index {
namespace {

namespace fs = std::filesystem;
using testing::fresh_dir;
using testing::model;
using testing::unit_vectors;

// Limits the size of any file this process writes (RLIMIT_FSIZE) while in scope: writes past
// it fail with EFBIG, as on a full disk, instead of raising SIGXFSZ.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit saved_{};
  sighandler_t old_handler_;
};

Item image_item(int64_t i) {
  Item item;
  item.uri = "photos/" + std::to_string(i) + ".jpg";
  item.caption = "caption number " + std::to_string(i) + " long enough to fill the log faster";
  return item;
}

// Adds items one at a time until `max_tries` or `stop_after_failures` refusals; returns the ids
// acknowledged and, in `errors`, every refusal's message. A refusal must be a clippo::Error.
std::vector<int64_t> add_until_refused(CollectionStore& store, int64_t first, int max_tries, int stop_after_failures,
                                       std::vector<std::string>& errors, std::vector<float>& vectors_of_acked) {
  std::vector<int64_t> acked;
  const int d = store.dim();
  for (int64_t i = first; i < first + max_tries && static_cast<int>(errors.size()) < stop_after_failures; ++i) {
    const auto v = unit_vectors(1, d, static_cast<uint32_t>(i));
    try {
      const auto ids = store.upsert({image_item(i)}, v.data());
      acked.push_back(ids.at(0));
      vectors_of_acked.insert(vectors_of_acked.end(), v.begin(), v.end());
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  return acked;
}

void expect_exactly(const std::string& dir, const std::set<int64_t>& ids) {
  const auto store = CollectionStore::open(dir);
  EXPECT_EQ(store->size(), ids.size());
  for (int64_t id : ids) EXPECT_TRUE(store->get(id).has_value()) << "lost acknowledged item " << id;
}

TEST(DiskFaultsTest, AFileSizeLimitRefusesWritesAndLosesNothing) {
  const std::string dir = fresh_dir("fsize");
  StoreOptions options;
  options.checkpoint_wal_bytes = 2048;  // snapshots keep being attempted as the log grows
  std::set<int64_t> expected;
  {
    auto store = CollectionStore::create(dir, model(), options);
    std::vector<std::string> errors;
    std::vector<float> vectors;
    for (int64_t id : add_until_refused(*store, 0, 100, 1, errors, vectors)) expected.insert(id);
    ASSERT_TRUE(errors.empty()) << errors.front();
    ASSERT_EQ(expected.size(), 100u);

    std::vector<int64_t> acked;
    {
      // 12 KiB per file: the log takes a few dozen more records, every snapshot's items.jsonl
      // (over 100 items) is refused.
      FileSizeLimit limit(12 << 10);
      acked = add_until_refused(*store, 1000, 400, 3, errors, vectors);
      ASSERT_EQ(errors.size(), 3u) << "the limit never refused a write";
      for (const std::string& e : errors) EXPECT_NE(e.find("File too large"), std::string::npos) << e;
      EXPECT_GT(store->failed_snapshots(), 0u);
      EXPECT_THROW(store->checkpoint(), Error);
      // Searches go on: an acknowledged vector finds itself.
      const auto v = unit_vectors(1, store->dim(), 1000);
      ASSERT_FALSE(acked.empty());
      EXPECT_EQ(store->search(v.data(), 1, 1)[0].at(0).id, acked.front());
      // A remove the disk refuses leaves the item in place.
      size_t removed = 0;
      try {
        removed = store->remove({0});
      } catch (const Error&) {
      }
      if (removed == 0) {
        EXPECT_TRUE(store->get(0).has_value());
      } else {
        expected.erase(0);
      }
    }
    for (int64_t id : acked) expected.insert(id);
    // With room again, writes are accepted and readable after the refused ones.
    errors.clear();
    for (int64_t id : add_until_refused(*store, 5000, 5, 1, errors, vectors)) expected.insert(id);
    EXPECT_TRUE(errors.empty());
    EXPECT_EQ(store->size(), expected.size());
  }
  expect_exactly(dir, expected);
}

// Runs `body` in a child process with its own mount namespace (as root, or as root of a new
// user namespace), where it can mount a small tmpfs. The child reports through its exit code:
// 0 passed, 77 no mount namespace on this machine (the test is skipped, saying so), else failed,
// with the reason on stderr.
int run_in_mount_namespace(const std::function<void()>& body) {
  const pid_t child = fork();
  if (child == 0) {
    const uid_t uid = getuid();
    const gid_t gid = getgid();
    if (unshare(uid == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) != 0) _exit(77);
    if (uid != 0) {
      std::ofstream("/proc/self/setgroups") << "deny";
      std::ofstream("/proc/self/uid_map") << "0 " << uid << " 1";
      std::ofstream("/proc/self/gid_map") << "0 " << gid << " 1";
    }
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(77);
    try {
      body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "unexpected exception: %s\n", e.what());
      _exit(1);
    }
    _exit(::testing::Test::HasFailure() ? 1 : 0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Mounts a `size`-byte tmpfs on a fresh folder; false when this machine does not allow it.
bool mount_small_tmpfs(const std::string& at, const std::string& size) {
  fs::create_directories(at);
  return mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
}

#define CHILD_CHECK(cond, what)                                    \
  do {                                                             \
    if (!(cond)) {                                                 \
      std::fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, what); \
      _exit(1);                                                    \
    }                                                              \
  } while (0)

TEST(DiskFaultsTest, AFullDiskRefusesWritesAndTheStoreReopensWithEveryAcknowledgedItem) {
  const std::string mnt = fresh_dir("full_disk");
  const int rc = run_in_mount_namespace([&] {
    if (!mount_small_tmpfs(mnt, "256k")) _exit(77);
    const std::string dir = mnt + "/store";
    StoreOptions options;
    options.checkpoint_wal_bytes = 16 << 10;
    std::set<int64_t> expected;
    {
      auto store = CollectionStore::create(dir, model(64), options);
      std::vector<std::string> errors;
      std::vector<float> vectors;
      for (int64_t id : add_until_refused(*store, 0, 20000, 5, errors, vectors)) expected.insert(id);
      CHILD_CHECK(errors.size() == 5, "the 256 KiB disk never filled");
      for (const std::string& e : errors) {
        CHILD_CHECK(e.find("No space left on device") != std::string::npos, e.c_str());
      }
      CHILD_CHECK(store->size() == expected.size(), "the store's size differs from what was acknowledged");
      // Searches go on over every acknowledged item.
      const auto q = unit_vectors(1, 64, 0);
      CHILD_CHECK(store->search(q.data(), 1, 1)[0].at(0).id == 0, "item 0 no longer finds itself");
      bool refused = false;
      try {
        store->checkpoint();
      } catch (const Error& e) {
        refused = std::string(e.what()).find("No space left") != std::string::npos;
      }
      CHILD_CHECK(refused, "a snapshot on a full disk was not refused with ENOSPC");
    }
    expect_exactly(dir, expected);
    // Nothing half-written is left behind: only the snapshot CURRENT names.
    size_t snapshots = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir + "/snapshots")) ++snapshots;
    CHILD_CHECK(snapshots <= 1, "a refused snapshot left its folder behind");
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      CHILD_CHECK(entry.path().string().find(".tmp.") == std::string::npos, "a temporary file was left behind");
    }
  });
  if (rc == 77) GTEST_SKIP() << "this machine allows no private mount namespace or tmpfs mount";
  EXPECT_EQ(rc, 0);
}

TEST(DiskFaultsTest, AReadOnlyVolumeOpensReadOnlyAndRefusesWrites) {
  const std::string mnt = fresh_dir("read_only");
  const int rc = run_in_mount_namespace([&] {
    if (!mount_small_tmpfs(mnt, "4m")) _exit(77);
    const std::string dir = mnt + "/store";
    {
      auto store = CollectionStore::create(dir, model());
      const auto v = unit_vectors(50, 16, 3);
      store->upsert(testing::items(50), v.data());
    }
    CHILD_CHECK(mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0, "remount read-only");
    // Opened for writing, the store says why it cannot be, and how to open it instead.
    std::string error;
    try {
      CollectionStore::open(dir);
    } catch (const Error& e) {
      error = e.what();
    }
    CHILD_CHECK(error.find("Read-only file system") != std::string::npos, ("no clear error: " + error).c_str());
    CHILD_CHECK(error.find("read_only") != std::string::npos, ("no hint to open read-only: " + error).c_str());
    auto store = CollectionStore::open(dir, nullptr, /*read_only=*/true);
    CHILD_CHECK(store->size() == 50, "a read-only open lost items");
    const auto q = unit_vectors(50, 16, 3);
    CHILD_CHECK(store->search(q.data() + 7 * 16, 1, 1)[0].at(0).id == 7, "a read-only store cannot search");
    for (const std::function<void()>& write :
         std::vector<std::function<void()>>{[&] { store->upsert(testing::items(1), q.data()); },
                                            [&] { store->remove({3}); }, [&] { store->checkpoint(); }}) {
      bool refused = false;
      try {
        write();
      } catch (const Error& e) {
        refused = e.code() == ErrorCode::kFailedPrecondition && std::string(e.what()).find("read-only") != std::string::npos;
      }
      CHILD_CHECK(refused, "a write to a read-only store was not refused clearly");
    }
    store.reset();
    CHILD_CHECK(mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT, nullptr) == 0, "remount read-write");
    auto reopened = CollectionStore::open(dir);
    CHILD_CHECK(reopened->size() == 50 && reopened->get(3).has_value(), "the store changed while read-only");
  });
  if (rc == 77) GTEST_SKIP() << "this machine allows no private mount namespace or tmpfs mount";
  EXPECT_EQ(rc, 0);
}

// SIGKILL while a large snapshot is being written (the writer does nothing but checkpoint):
// whichever file the kill lands in, the store reopens with every item and its exact vector.
TEST(DiskFaultsTest, SigkillInsideASnapshotLeavesTheStoreIntact) {
  const std::string dir = fresh_dir("kill_snapshot");
  constexpr int kDim = 256;
  constexpr size_t kItems = 4000;  // 4 MB of vectors: each snapshot takes a while to write and sync
  const auto vectors = unit_vectors(kItems, kDim, 11);
  {
    auto store = CollectionStore::create(dir, model(kDim));
    store->upsert(testing::items(kItems), vectors.data());
  }
  for (int round = 0; round < 4; ++round) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t child = fork();
    if (child == 0) {
      close(ready[0]);
      auto store = CollectionStore::open(dir);
      const char go = 1;
      if (write(ready[1], &go, 1) != 1) _exit(1);
      for (;;) store->checkpoint();
    }
    close(ready[1]);
    char go = 0;
    ASSERT_EQ(read(ready[0], &go, 1), 1);
    close(ready[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + 37 * round));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    const auto store = CollectionStore::open(dir);
    ASSERT_EQ(store->size(), kItems) << "round " << round;
    for (size_t i = 0; i < kItems; i += 397) {
      const auto v = store->vector(static_cast<int64_t>(i));
      ASSERT_EQ(v.size(), static_cast<size_t>(kDim));
      ASSERT_EQ(0, std::memcmp(v.data(), vectors.data() + i * kDim, kDim * sizeof(float))) << "item " << i;
    }
  }
}

}  // namespace
}  // namespace clippo::index
