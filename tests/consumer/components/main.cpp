// A radiomics and statistics program linked against two lvsi components only
// (lvsi::radiomics, lvsi::evaluation).
#include <lvsi/evaluation.h>
#include <lvsi/radiomics.h>

#include <cmath>
#include <cstdio>

int main() {
  lvsi::Geometry g;
  g.size = {6, 6, 4};
  lvsi::Image image(g, 0.0);
  lvsi::LabelImage labels(g, 0);
  double sum = 0;
  int count = 0;
  for (std::size_t k = 1; k < 3; ++k)
    for (std::size_t j = 1; j < 5; ++j)
      for (std::size_t i = 1; i < 5; ++i) {
        image(i, j, k) = static_cast<double>((i * 7 + j * 3 + k * 5) % 11);
        labels(i, j, k) = 1;
        sum += image(i, j, k);
        ++count;
      }
  const lvsi::radiomics::FeatureExtractor extractor(lvsi::radiomics::ParseParameters(
      "featureClass:\n  firstorder: [Mean]\n  glcm:\nsetting:\n  binWidth: 1\n", "consumer.yaml"));
  const auto result = extractor.Execute(image, labels);
  const double mean = result.Feature("original_firstorder_Mean");
  if (std::abs(mean - sum / count) > 1e-12) {
    std::fprintf(stderr, "first-order mean %.17g, expected %.17g\n", mean, sum / count);
    return 1;
  }
  // Perfectly separated scores: AUC 1.
  if (lvsi::evaluation::Auc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}) != 1.0) return 1;
  std::printf("%s\nlvsi components consumer OK\n", result.BriefReport().c_str());
  return 0;
}
