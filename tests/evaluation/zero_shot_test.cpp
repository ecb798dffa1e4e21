// Zero-shot classification: template averaging, ranking and probabilities, the tie rule, and a
// folder dataset evaluated end to end with embedding functions whose answers are known.
#include "evaluation/zero_shot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/base/error.h"
#include "core/base/file_io.h"

namespace clippo::evaluation {
namespace {

namespace fs = std::filesystem;

// Texts -> fixed 2-d vectors (unit); unknown texts -> an error, so a wrong template shows.
EmbedTextsFn table(const std::map<std::string, std::vector<float>>& t) {
  return [t](const std::vector<std::string>& texts) {
    std::vector<float> out;
    for (const std::string& s : texts) {
      const auto it = t.find(s);
      if (it == t.end()) throw Error(ErrorCode::kInternal, "unexpected text '" + s + "'");
      out.insert(out.end(), it->second.begin(), it->second.end());
    }
    return out;
  };
}

TEST(ZeroShot, TemplatesAreAveragedPerClassAndRenormalised) {
  const auto c = build_zero_shot_classifier({"cat", "dog"}, {"a {}", "the {}!"},
                                            table({{"a cat", {1, 0}}, {"the cat!", {0, 1}},
                                                   {"a dog", {-1, 0}}, {"the dog!", {-1, 0}}}));
  ASSERT_EQ(c.dim, 2u);
  EXPECT_NEAR(c.class_embeddings[0], std::sqrt(0.5), 1e-6);
  EXPECT_NEAR(c.class_embeddings[1], std::sqrt(0.5), 1e-6);
  EXPECT_NEAR(c.class_embeddings[2], -1.0, 1e-6);
  EXPECT_NEAR(c.class_embeddings[3], 0.0, 1e-6);
}

TEST(ZeroShot, ClassifyRanksByCosineWithSoftmaxProbabilities) {
  const auto c = build_zero_shot_classifier({"x", "y", "z"}, kDefaultTemplates,
                                            table({{"a photo of a x.", {1, 0}},
                                                   {"a photo of a y.", {0, 1}},
                                                   {"a photo of a z.", {0, 1}}}));
  const float image[2] = {0.6f, 0.8f};
  const auto all = classify(c, image, 10, 10.0f);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].label, 1u);  // y and z tie: label order decides
  EXPECT_EQ(all[1].label, 2u);
  EXPECT_EQ(all[2].label, 0u);
  EXPECT_NEAR(all[0].score, 0.8f, 1e-6);
  double sum = 0;
  for (const auto& l : all) sum += l.probability;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_NEAR(all[0].probability / all[2].probability, std::exp(10.0 * (0.8 - 0.6)), 1e-3);
  EXPECT_EQ(classify(c, image, 1, 10.0f).size(), 1u);
}

TEST(ZeroShot, BadLabelsAndTemplatesAreRefused) {
  const auto any = table({});
  EXPECT_THROW(build_zero_shot_classifier({}, kDefaultTemplates, any), Error);
  EXPECT_THROW(build_zero_shot_classifier({"a", "a"}, kDefaultTemplates, any), Error);
  EXPECT_THROW(build_zero_shot_classifier({"a", ""}, kDefaultTemplates, any), Error);
  EXPECT_THROW(build_zero_shot_classifier({"a"}, {"no slot"}, any), Error);
  EXPECT_THROW(build_zero_shot_classifier({"a"}, {"{} and {}"}, any), Error);
}

TEST(ZeroShot, AFolderDatasetIsScoredPerClassAgainstChance) {
  const fs::path dir = fs::temp_directory_path() / ("clippo_zeroshot_test_" + std::to_string(getpid()));
  remove_tree(dir.string());
  fs::create_directories(dir / "grey_things");
  fs::create_directories(dir / "n0001");
  fs::create_directories(dir / "empty_class");
  const std::string images = std::string(CLIPPO_TEST_DATA_DIR) + "/images/";
  fs::copy(images + "gray.png", dir / "grey_things" / "a.png");
  fs::copy(images + "gray16.png", dir / "grey_things" / "b.png");
  fs::copy(images + "photo.png", dir / "n0001" / "c.png");
  write_file_atomically((dir / "classes.tsv").string(), "n0001\tphotograph\n");
  const datasets::ClassFolders data = datasets::read_class_folders(dir.string());
  ASSERT_EQ(data.class_names, (std::vector<std::string>{"grey things", "photograph"}));  // empty class left out
  ASSERT_EQ(data.images.size(), 3u);

  // Images: grey ones (R = G = B everywhere) -> (1, 0), coloured ones -> (0, 1).
  const EmbedPixelsFn by_greyness = [](const std::vector<const ImageU8*>& batch) {
    std::vector<float> out;
    for (const ImageU8* img : batch) {
      bool grey = true;
      for (size_t i = 0; i + 2 < img->pixels.size() && grey; i += 3) {
        grey = img->pixels[i] == img->pixels[i + 1] && img->pixels[i] == img->pixels[i + 2];
      }
      out.push_back(grey ? 1.0f : 0.0f);
      out.push_back(grey ? 0.0f : 1.0f);
    }
    return out;
  };
  ZeroShotEvalOptions o;
  o.image_spec.image_size = 32;
  const auto right = evaluate_zero_shot(
      data, by_greyness, table({{"a photo of a grey things.", {1, 0}}, {"a photo of a photograph.", {0, 1}}}), o);
  EXPECT_DOUBLE_EQ(right.top1, 1.0);
  EXPECT_DOUBLE_EQ(right.chance_top1, 0.5);
  EXPECT_DOUBLE_EQ(right.chance_top5, 1.0);
  ASSERT_EQ(right.per_class.size(), 2u);
  EXPECT_EQ(right.per_class[0].n_images, 2u);
  const auto wrong = evaluate_zero_shot(
      data, by_greyness, table({{"a photo of a grey things.", {0, 1}}, {"a photo of a photograph.", {1, 0}}}), o);
  EXPECT_DOUBLE_EQ(wrong.top1, 0.0);
  EXPECT_DOUBLE_EQ(wrong.top5, 1.0);  // two classes: both are in the top 5
  EXPECT_DOUBLE_EQ(wrong.mean_per_class_top1, 0.0);
  EXPECT_THROW(datasets::read_class_folders((dir / "empty_class").string()), Error);
  EXPECT_THROW(datasets::read_class_folders((dir / "nope").string()), Error);
  remove_tree(dir.string());
}

TEST(ZeroShot, BuiltInTemplatesPerLanguage) {
  EXPECT_EQ(templates_for_language(""), kDefaultTemplates);
  EXPECT_EQ(templates_for_language("en"), kDefaultTemplates);
  EXPECT_EQ(templates_for_language("de").at(0), "ein Foto von {}.");
  // The primary subtag decides, in any case: region and script subtags do not matter.
  EXPECT_EQ(templates_for_language("pt-BR"), templates_for_language("pt"));
  EXPECT_EQ(templates_for_language("zh_Hans"), templates_for_language("ZH"));
  EXPECT_EQ(templates_for_language("no"), templates_for_language("nb"));
  // Every built-in template holds the label slot once, so each builds a classifier.
  const std::vector<std::string> languages = template_languages();
  EXPECT_GE(languages.size(), 30u);
  EXPECT_TRUE(std::is_sorted(languages.begin(), languages.end()));
  const EmbedTextsFn any = [](const std::vector<std::string>& texts) {
    return std::vector<float>(texts.size() * 2, 0.5f);
  };
  for (const std::string& lang : languages) {
    for (const std::string& t : templates_for_language(lang)) {
      EXPECT_EQ(std::count(t.begin(), t.end(), '{'), 1) << lang;
      EXPECT_NE(t.find("{}"), std::string::npos) << lang;
    }
    EXPECT_NO_THROW(build_zero_shot_classifier({"a", "b"}, templates_for_language(lang), any)) << lang;
  }
  try {
    templates_for_language("tlh");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("de"), std::string::npos) << "the message lists the languages";
  }
}

}  // namespace
}  // namespace clippo::evaluation
