// `clippo model` and `clippo encode` end to end with the real binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "core/base/file_io.h"
#include "tests/api/cli/run_clippo.h"
#include "tests/model_hub/local_http_server.h"

namespace clippo::cli {
namespace {

std::string temp(const std::string& name) { return (temp_dir() / name).string(); }

TEST(ModelCommandTest, FetchByUrlThenAnyModelOptionTakesTheUrl) {
  const std::string m = temp("served.npz");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 --seed 5 -o " + m).exit_code, 0);
  model_hub::testing::LocalHttpServer server;
  server.add("/served.npz", read_file(m));
  // The child sees the cache through the environment.
  setenv("CLIPPO_CACHE", temp("cache").c_str(), 1);
  CommandResult fetched = run_clippo("model fetch " + server.url("/served.npz") + " --json");
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  const std::string path = nlohmann::json::parse(fetched.out)["path"];
  EXPECT_EQ(path, temp("cache") + "/models/served.npz");
  EXPECT_EQ(read_file(path), read_file(m));
  // --model with the URL: served from the cache, no second request.
  CommandResult by_url = run_clippo("encode --model " + server.url("/served.npz") + " --text hi --json");
  ASSERT_EQ(by_url.exit_code, 0) << by_url.err;
  CommandResult by_file = run_clippo("encode --model " + m + " --text hi --json");
  EXPECT_EQ(nlohmann::json::parse(by_url.out)["embedding"], nlohmann::json::parse(by_file.out)["embedding"]);
  EXPECT_EQ(server.seen().size(), 1u);

  CommandResult list = run_clippo("model fetch --list --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out).size(), 6u);
  CommandResult missing = run_clippo("model fetch " + server.url("/nope.npz"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("HTTP 404"), std::string::npos) << missing.err;
  CommandResult unknown = run_clippo("encode --model no_such_model --text hi");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("clippo_b16_yfcc100m"), std::string::npos) << unknown.err;
  unsetenv("CLIPPO_CACHE");
}

TEST(ModelCommandTest, InitInfoConvertEncodeRoundTrip) {
  const std::string m = temp("mu.npz"), m16 = temp("mu16.npz");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 --seed 3 -o " + m).exit_code, 0);
  CommandResult info = run_clippo("model info " + m + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto j = nlohmann::json::parse(info.out);
  EXPECT_EQ(j["architecture"]["width"], 32);
  EXPECT_EQ(j["embedding_dim"], 8);
  EXPECT_EQ(j["renderer"]["kind"], "unifont");
  EXPECT_EQ(j["format"], "clippo");

  ASSERT_EQ(run_clippo("model convert " + m + " -o " + m16 + " --dtype float16 --layout scanned").exit_code, 0);
  const auto j16 = nlohmann::json::parse(run_clippo("model info " + m16 + " --json").out);
  EXPECT_EQ(j16["dtype"], "float16");
  EXPECT_EQ(j16["layout"], "scanned");
  EXPECT_EQ(j16["n_parameters"], j["n_parameters"]);

  CommandResult a = run_clippo("encode --model " + m + " --text 'a red bus' --json");
  CommandResult b = run_clippo("encode --model " + m16 + " --text 'a red bus' --json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto ea = nlohmann::json::parse(a.out)["embedding"], eb = nlohmann::json::parse(b.out)["embedding"];
  ASSERT_EQ(ea.size(), 8u);
  double dot = 0;
  for (size_t i = 0; i < 8; ++i) dot += ea[i].get<double>() * eb[i].get<double>();
  EXPECT_GT(dot, 0.999);  // float16 weights, same function
}

TEST(ModelCommandTest, ImportRecordsRendererAndSource) {
  const std::string m = temp("src.npz"), out = temp("imported.npz");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 --image-size 32 -o " + m).exit_code, 0);
  const auto src = nlohmann::json::parse(run_clippo("model info " + m + " --json").out);
  const CommandResult r = run_clippo("model import " + m + " -o " + out + " --renderer shaped");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(run_clippo("model info " + out + " --json").out);
  EXPECT_EQ(j["meta"]["source_content_hash"], src["content_hash"]);
  EXPECT_EQ(j["meta"]["imported_from"], m);
  EXPECT_EQ(j["renderer"]["kind"], "shaped");
  EXPECT_EQ(j["renderer"]["image_size"], 32);  // the model's own size, read once from the file
  EXPECT_EQ(j["architecture"]["image_size"], 32);
  EXPECT_NE(run_clippo("model import " + m + " -o " + m).exit_code, 0);  // never in place
}

TEST(ModelCommandTest, BatchEncodingToNpyReportsBadInputs) {
  const std::string m = temp("batch.npz"), list = temp("images.txt"), out = temp("z.npy");
  ASSERT_EQ(run_clippo("model init --variant mu/16 --out-dim 8 -o " + m).exit_code, 0);
  const std::string data = CLIPPO_TEST_DATA_DIR;
  write_file_atomically(list, data + "/images/photo.jpg\n" + data + "/images/photo.gif\n" + data + "/images/photo.png\n");
  CommandResult r = run_clippo("encode --model " + m + " --images " + list + " -o " + out + " --json");
  EXPECT_EQ(r.exit_code, 1);  // one input failed
  EXPECT_NE(r.out.find("\"error\""), std::string::npos);
  EXPECT_NE(r.err.find("GIF"), std::string::npos);
  EXPECT_NE(read_file(out).find("'shape': (2, 8)"), std::string::npos);
}

TEST(ModelCommandTest, BrokenModelFilesGiveOneLineErrors) {
  const std::string bad = temp("bad.npz");
  write_file_atomically(bad, "definitely not a zip archive");
  for (const std::string& args : {"model info " + bad, "encode --model " + bad + " --text hi",
                                  std::string("model info /nonexistent.npz"), std::string("model init --variant Z/16 -o ") + bad,
                                  "encode --model " + bad}) {
    const CommandResult r = run_clippo(args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << args << ": " << r.err;
    EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
  }
}

}  // namespace
}  // namespace clippo::cli
