// Benchmark of feature selection on a study-sized synthetic training table.
//
//   bench_selection [--no-r] [--cases N]
//
// Builds a training table like the study's: N = 109 cases, 4227 radiomics
// features (with a second reader's re-measurement for the ICC filter) and
// 6144 deep features, about 30 % positives, a few informative features.
// Times the whole selection chain (ICC >= 0.75 on the radiomics features,
// variance, z-score, Mann-Whitney p < 0.05, LASSO-CV with the 1-SE rule)
// and LASSO-CV alone on the full 10371-feature table (100 lambdas, 10
// folds).  When Rscript with glmnet is available, times cv.glmnet on the
// same data and folds in the same run and prints the ratio.
#include <lvsi/lvsi.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>
#include <algorithm>
#include <string>

namespace sel = lvsi::selection;
namespace fs = std::filesystem;

namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  bool with_r = true;
  int n = 109;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-r") with_r = false;
    else if (a == "--cases" && i + 1 < argc) n = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: bench_selection [--no-r] [--cases N]\n");
      return 2;
    }
  }
  lvsi::SetLogLevel(lvsi::LogLevel::kWarning);
  const int radiomics = 4227, deep = 6144, p = radiomics + deep;
  std::mt19937 rng(20261127);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<int> labels(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) labels[static_cast<std::size_t>(i)] = uniform(rng) < 0.3 ? 1 : 0;
  labels[0] = 1;
  labels[1] = 0;
  Eigen::MatrixXd x(n, p), reader2(n, radiomics);
  std::vector<double> noise(static_cast<std::size_t>(radiomics));
  for (int j = 0; j < radiomics; ++j) noise[static_cast<std::size_t>(j)] = 0.2 + 1.2 * uniform(rng);
  for (int i = 0; i < n; ++i) {
    const double shared = normal(rng);  // correlated blocks, as filtered images are
    for (int j = 0; j < p; ++j) {
      const double signal = (j % 997 == 0) ? 0.9 * labels[static_cast<std::size_t>(i)] : 0.0;
      x(i, j) = signal + 0.5 * shared * ((j % 7) == 0) + normal(rng);
      if (j < radiomics) reader2(i, j) = x(i, j) + noise[static_cast<std::size_t>(j)] * normal(rng);
    }
  }
  std::vector<std::string> ids, names, rad_names;
  for (int i = 0; i < n; ++i) ids.push_back("P" + std::to_string(i));
  for (int j = 0; j < p; ++j) names.push_back(j < radiomics ? "rad" + std::to_string(j) : "dl" + std::to_string(j - radiomics));
  rad_names.assign(names.begin(), names.begin() + radiomics);
  const lvsi::FeatureTable table(ids, names, x);
  const lvsi::FeatureTable rad = table.SelectColumns(rad_names);
  const lvsi::FeatureTable rad2(ids, rad_names, reader2);
  std::printf("training table: %d cases x %d features (%d radiomics + %d deep), %d positive\n", n, p, radiomics, deep,
              static_cast<int>(std::count(labels.begin(), labels.end(), 1)));

  // The whole chain: ICC on the radiomics features, then both sets together.
  auto t0 = std::chrono::steady_clock::now();
  sel::IccFilter icc(0.75);
  std::vector<sel::Removal> removed;
  const lvsi::FeatureTable rad_kept = icc.Fit({rad, labels, &rad2}, &removed);
  const lvsi::FeatureTable combined = rad_kept.JoinColumns(table.SelectColumns(
      std::vector<std::string>(names.begin() + radiomics, names.end())));
  sel::SelectionPipeline chain;
  chain.Emplace<sel::VarianceFilter>();
  chain.Emplace<sel::StandardScaler>();
  chain.Emplace<sel::MannWhitneyFilter>(0.05);
  auto& lasso = chain.Emplace<sel::LassoSelector>();
  const lvsi::FeatureTable selected = chain.Fit({combined, labels});
  const double chain_s = Seconds(t0);
  std::printf("chain: ICC kept %zu of %d radiomics; Mann-Whitney kept %zu; LASSO (1-SE) selected %zu: %.3f s\n",
              rad_kept.cols(), radiomics, lasso.cv().path.beta.rows(), selected.cols(), chain_s);

  // LASSO-CV alone on the full table.
  sel::LassoCvSettings options;
  options.seed = 7;
  options.fold_ids = sel::StratifiedFolds(labels, 10, 7);
  t0 = std::chrono::steady_clock::now();
  const sel::LassoCvResult cv = sel::CrossValidateLassoLogistic(x, labels, options);
  const double lvsi_s = Seconds(t0);
  std::printf("lvsi LASSO-CV (%zu lambdas, 10 folds, %d features): %.3f s; lambda_min %.6g, lambda_1se %.6g, %zu selected\n",
              cv.path.lambda.size(), p, lvsi_s, cv.lambda_min(), cv.lambda_1se(), cv.path.NonZero(cv.index_1se).size());

  if (!with_r) return 0;
  if (std::system("Rscript -e 'suppressMessages(library(glmnet))' >/dev/null 2>&1") != 0) {
    std::printf("glmnet: Rscript with glmnet not found, no comparison (apt-get install r-cran-glmnet)\n");
    return 0;
  }
  const fs::path dir = fs::temp_directory_path() / ("lvsi_bench_selection_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream out(dir / "data.csv");
    out.precision(17);
    out << "label,fold";
    for (int j = 0; j < p; ++j) out << ",x" << j;
    out << "\n";
    for (int i = 0; i < n; ++i) {
      out << labels[static_cast<std::size_t>(i)] << "," << options.fold_ids[static_cast<std::size_t>(i)];
      for (int j = 0; j < p; ++j) out << "," << x(i, j);
      out << "\n";
    }
  }
  {
    std::ofstream script(dir / "cv.R");
    script << "suppressMessages(library(glmnet))\n"
              "d <- as.matrix(read.csv(commandArgs(TRUE)[1]))\n"
              "y <- d[, 1]; foldid <- d[, 2]; x <- d[, -(1:2)]\n"
              "t <- system.time(cv <- cv.glmnet(x, y, family = 'binomial', foldid = foldid))[['elapsed']]\n"
              "cat(sprintf('%.6f %d %.8g %.8g %d\\n', t, length(cv$lambda), cv$lambda.min, cv$lambda.1se,\n"
              "            sum(coef(cv, s = 'lambda.1se')[-1] != 0)))\n";
  }
  const std::string cmd = "Rscript " + (dir / "cv.R").string() + " " + (dir / "data.csv").string() + " > " +
                          (dir / "r.txt").string();
  if (std::system(cmd.c_str()) != 0) {
    std::printf("glmnet: the R run failed\n");
    return 1;
  }
  std::ifstream in(dir / "r.txt");
  double r_s = 0, r_min = 0, r_1se = 0;
  int r_n = 0, r_sel = 0;
  in >> r_s >> r_n >> r_min >> r_1se >> r_sel;
  fs::remove_all(dir);
  std::printf("glmnet cv.glmnet (%d lambdas, same folds): %.3f s; lambda_min %.6g, lambda_1se %.6g, %d selected\n", r_n,
              r_s, r_min, r_1se, r_sel);
  std::printf("ratio lvsi / glmnet: %.2f\n", lvsi_s / r_s);
  return 0;
}
