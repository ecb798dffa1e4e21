// `clippo serve` as a process: SIGKILL during a stream of adds loses no acknowledged item,
// and SIGTERM stops it cleanly.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/base/base64.h"
#include "core/base/file_io.h"
#include "tests/api/cli/run_clippo.h"
#include "tests/api/http/http_test_client.h"

namespace clippo::cli {
namespace {

namespace fs = std::filesystem;

struct Server {
  pid_t pid = -1;
  uint16_t port = 0;
};

Server start_server(const std::string& store, const std::string& port_file, bool read_only = false,
                    std::vector<std::string> extra = {}) {
  fs::remove(port_file);
  std::vector<std::string> args = {CLIPPO_BINARY, "serve", "--store", store, "--port", "0", "--port-file", port_file,
                                   "--api-key", "k"};
  if (read_only) args.push_back("--read-only");
  args.insert(args.end(), extra.begin(), extra.end());
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string err = port_file + ".log";
    freopen(err.c_str(), "w", stderr);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(CLIPPO_BINARY, argv.data());
    _exit(127);
  }
  for (int i = 0; i < 300 && !fs::exists(port_file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(fs::exists(port_file)) << "server did not start";
  return {pid, static_cast<uint16_t>(std::stoi(read_file(port_file)))};
}

// A fresh folder `dir` with a tiny model and a store of one image built from it.
void make_store(const fs::path& dir) {
  remove_tree(dir.string());
  fs::create_directories(dir / "images");
  fs::copy(std::string(CLIPPO_TEST_DATA_DIR) + "/images/photo.png", dir / "images" / "photo.png");
  const std::string model = (dir / "m.npz").string();
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 -o " + model).exit_code, 0);
  ASSERT_EQ(run_clippo("index build --model " + model + " --images " + (dir / "images").string() + " --out " +
                       (dir / "store").string()).exit_code, 0);
}

TEST(ServeCommandTest, SigkillLosesNoAcknowledgedItemAndSigtermStops) {
  const fs::path dir = temp_dir() / "serve";
  ASSERT_NO_FATAL_FAILURE(make_store(dir));
  const std::string store = (dir / "store").string(), port_file = (dir / "port").string();

  Server server = start_server(store, port_file);
  const std::string image = base64_encode(read_file(std::string(CLIPPO_TEST_DATA_DIR) + "/images/gray.png"));
  std::vector<int64_t> acked;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int64_t id = 1000; !stop; ++id) {
      try {
        const nlohmann::json body{{"id", id}, {"image", image}, {"caption", "item " + std::to_string(id)}};
        const auto r = http::testing::request(server.port, "POST", "/v1/items", body.dump(),
                                              {{"Content-Type", "application/json"}, {"Authorization", "Bearer k"}});
        if (r.status == 201) acked.push_back(id);
      } catch (const std::exception&) {
        return;  // the server is gone
      }
    }
  });
  while (acked.size() < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(server.pid, SIGKILL);
  stop = true;
  writer.join();
  int status = 0;
  waitpid(server.pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  server = start_server(store, port_file);
  for (int64_t id : acked) {
    const auto r = http::testing::request(server.port, "GET", "/v1/items/" + std::to_string(id));
    ASSERT_EQ(r.status, 200) << "acknowledged item " << id << " was lost";
  }
  kill(server.pid, SIGTERM);
  waitpid(server.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(port_file + ".log");
}

TEST(ServeCommandTest, ReadOnlyServesSearchesAndRefusesWritesWithoutTouchingTheStore) {
  const fs::path dir = temp_dir() / "serve_read_only";
  ASSERT_NO_FATAL_FAILURE(make_store(dir));
  const std::string store = (dir / "store").string(), port_file = (dir / "port").string();
  const std::string wal_before = read_file(store + "/wal.log");

  const Server server = start_server(store, port_file, /*read_only=*/true);
  const auto health = nlohmann::json::parse(http::testing::request(server.port, "GET", "/v1/health").body);
  EXPECT_EQ(health["read_only"], true);
  EXPECT_EQ(http::testing::request(server.port, "POST", "/v1/search", R"({"query": "x", "k": 1})",
                                   {{"Content-Type", "application/json"}}).status, 200);
  const auto add = http::testing::request(server.port, "POST", "/v1/items", R"({"text": "a new item"})",
                                          {{"Content-Type", "application/json"}, {"Authorization", "Bearer k"}});
  EXPECT_EQ(add.status, 409) << add.body;
  EXPECT_NE(add.body.find("read-only"), std::string::npos) << add.body;
  // An uploaded image is refused before it is kept: it used to be written to the store's
  // uploads/ folder first, and stayed there after the store refused the item.
  const nlohmann::json upload{{"image", base64_encode(read_file(std::string(CLIPPO_TEST_DATA_DIR) + "/images/gray.png"))}};
  const auto add_image = http::testing::request(server.port, "POST", "/v1/items", upload.dump(),
                                                {{"Content-Type", "application/json"}, {"Authorization", "Bearer k"}});
  EXPECT_EQ(add_image.status, 409) << add_image.body;
  EXPECT_NE(add_image.body.find("read-only"), std::string::npos) << add_image.body;
  EXPECT_FALSE(fs::exists(store + "/uploads"));
  EXPECT_EQ(http::testing::request(server.port, "DELETE", "/v1/items/0", "", {{"Authorization", "Bearer k"}}).status, 409);
  kill(server.pid, SIGTERM);
  int status = 0;
  waitpid(server.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_file(port_file + ".log");
  EXPECT_EQ(read_file(store + "/wal.log"), wal_before);
}

// One writer and two read-only replicas on one store, as behind a load balancer: the replicas
// serve the items the writer publishes, moving only forward.
TEST(ServeCommandTest, ReplicasServeTheSnapshotsTheWriterPublishes) {
  const fs::path dir = temp_dir() / "serve_replicas";
  ASSERT_NO_FATAL_FAILURE(make_store(dir));
  const std::string store = (dir / "store").string();
  const Server writer = start_server(store, (dir / "w.port").string(), false, {"--publish-ms", "200"});
  const Server r1 = start_server(store, (dir / "r1.port").string(), true, {"--refresh-ms", "100"});
  const Server r2 = start_server(store, (dir / "r2.port").string(), true, {"--refresh-ms", "100"});
  const auto items_on = [](const Server& s) {
    return nlohmann::json::parse(http::testing::request(s.port, "GET", "/v1/health").body)["items"].get<int>();
  };
  EXPECT_EQ(items_on(r1), 1);
  for (int i = 0; i < 6; ++i) {
    const nlohmann::json body{{"text", "replicated item " + std::to_string(i)}};
    EXPECT_EQ(http::testing::request(writer.port, "POST", "/v1/items", body.dump(),
                                     {{"Content-Type", "application/json"}, {"Authorization", "Bearer k"}}).status, 201);
  }
  for (const Server* replica : {&r1, &r2}) {
    // Each add is its own write, so any published count is a whole state; a replica only ever
    // moves forward (the store tests check that no state is torn).
    int items = 0, seen = 1;
    for (int i = 0; i < 200 && (items = items_on(*replica)) != 7; ++i) {
      EXPECT_GE(items, seen);
      EXPECT_LE(items, 7);
      seen = items;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(items, 7) << read_file((dir / (replica == &r1 ? "r1.port.log" : "r2.port.log")).string());
    const auto found = nlohmann::json::parse(
        http::testing::request(replica->port, "POST", "/v1/search", R"({"query": "replicated item 3", "k": 1, "kinds": ["text"]})",
                               {{"Content-Type", "application/json"}}).body);
    EXPECT_EQ(found["results"][0]["text"], "replicated item 3") << found.dump();
  }
  for (const Server* s : {&writer, &r1, &r2}) {
    kill(s->pid, SIGTERM);
    int status = 0;
    waitpid(s->pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
}

}  // namespace
}  // namespace clippo::cli
