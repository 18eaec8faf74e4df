// Model files: trained pipelines (JSON holding an SVM or a logistic
// regression).  A file that loads must predict on features of its width
// without crashing, and give probabilities in [0, 1].
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_util.h"
#include "lvsi/core/error.h"
#include "lvsi/models/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = lvsi::fuzz::WriteInput(data, size, ".lvsi");
  try {
    const auto model = lvsi::models::TrainedPipeline::Load(path);
    const auto& inputs = model.selection().input_features;
    if (inputs.size() > 10000) return 0;
    Eigen::MatrixXd x(3, static_cast<Eigen::Index>(inputs.size()));
    for (Eigen::Index r = 0; r < x.rows(); ++r)
      for (Eigen::Index c = 0; c < x.cols(); ++c) x(r, c) = std::sin(1.0 + r * 7 + c);
    const lvsi::FeatureTable table({"a", "b", "c"}, inputs, x);
    for (double p : model.PredictProbability(table))
      if (!(p >= 0 && p <= 1)) {
        std::fprintf(stderr, "a loaded model gave the probability %g\n", p);
        std::abort();
      }
  } catch (const lvsi::Error&) {
  }
  return 0;
}
