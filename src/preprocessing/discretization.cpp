#include "lvsi/preprocessing/discretization.h"

#include <algorithm>
#include <cmath>

#include "lvsi/core/csv.h"
#include "lvsi/core/error.h"

namespace lvsi::preprocessing {
namespace {

// Python's float modulo: the result has the sign of the divisor.
double PythonMod(double x, double w) {
  double m = std::fmod(x, w);
  if (m != 0.0) {
    if ((w < 0) != (m < 0)) m += w;
  } else {
    m = std::copysign(0.0, w);
  }
  return m;
}

// numpy.arange(start, stop, step) for doubles: the first two values, then
// start + i * (second - first).
std::vector<double> NumpyArange(double start, double stop, double step) {
  const double span = std::ceil((stop - start) / step);
  const std::size_t n = span > 0 ? static_cast<std::size_t>(span) : 0;
  std::vector<double> out(n);
  if (n == 0) return out;
  out[0] = start;
  if (n == 1) return out;
  out[1] = start + step;
  const double delta = out[1] - out[0];
  for (std::size_t i = 2; i < n; ++i) out[i] = start + static_cast<double>(i) * delta;
  return out;
}

}  // namespace

bool DiscretizationSettings::IsValid(std::string* why) const {
  if (bin_count) {
    if (*bin_count < 1 || *bin_count > 100000000)
      return Invalid(why, "binCount must be within 1 .. 1e8, got " + std::to_string(*bin_count));
    return true;
  }
  if (!(std::isfinite(bin_width) && bin_width > 0))
    return Invalid(why, "binWidth must be a positive number, got " + std::to_string(bin_width));
  return true;
}

std::vector<double> ComputeBinEdges(const std::vector<double>& values,
                                    const DiscretizationSettings& settings) {
  std::string why;
  if (!settings.IsValid(&why)) throw InvalidArgument(why);
  if (values.empty()) throw InvalidArgument("cannot discretise an empty set of values");
  const auto [min_it, max_it] = std::minmax_element(values.begin(), values.end());
  const double minimum = *min_it, maximum = *max_it;
  if (settings.bin_count) {
    const int n = *settings.bin_count;
    double first = minimum, last = maximum;
    if (first == last) {
      first -= 0.5;
      last += 0.5;
    }
    std::vector<double> edges(static_cast<std::size_t>(n) + 1);
    const double step = (last - first) / n;
    for (int i = 0; i <= n; ++i) edges[static_cast<std::size_t>(i)] = i * step + first;
    edges.back() = last;
    edges.back() += 1;
    return edges;
  }
  const double w = settings.bin_width;
  const double low = minimum - PythonMod(minimum, w);
  const double high = maximum + 2 * w;
  // Grey levels are int; more bins than kMaxBins is a bin width far too
  // small for the values (pyradiomics would run out of memory instead).
  constexpr double kMaxBins = 1e8;
  const std::string range = "the values' range [" + FormatDouble(minimum) + ", " + FormatDouble(maximum) + "]";
  if (!std::isfinite(low) || !std::isfinite(high))
    throw DataError(Input::kImage, "binWidth " + FormatDouble(w) + " is too large for " + range +
                                       ": the bin edges overflow (lower binWidth)");
  if (!((high - low) / w <= kMaxBins))
    throw DataError(Input::kImage, "binWidth " + FormatDouble(w) + " gives " + FormatDouble((high - low) / w) +
                                       " bins over " + range + "; at most 1e8 are allowed (raise binWidth)");
  std::vector<double> edges = NumpyArange(low, high, w);
  if (edges.size() == 1) edges = {edges[0] - 0.5, edges[0] + 0.5};
  return edges;
}

int Digitize(double value, const std::vector<double>& edges) noexcept {
  // The position std::upper_bound finds, started from the bin an even
  // spacing of the edges predicts and corrected from there: O(1) for fixed
  // bin widths (pyradiomics' default), exact for any increasing edges.
  const std::size_t count = edges.size();
  if (std::isnan(value)) return static_cast<int>(count);  // no edge compares above NaN
  std::size_t k = 0;
  if (count > 1) {
    const double guess =
        (value - edges.front()) / (edges.back() - edges.front()) * static_cast<double>(count - 1);
    k = !(guess > 0) ? 0 : guess >= static_cast<double>(count) ? count : static_cast<std::size_t>(guess);
  }
  while (k < count && edges[k] <= value) ++k;
  while (k > 0 && edges[k - 1] > value) --k;
  return static_cast<int>(k);
}

std::vector<int> Discretize(const std::vector<double>& values, const DiscretizationSettings& settings) {
  const std::vector<double> edges = ComputeBinEdges(values, settings);
  std::vector<int> out(values.size());
  for (std::size_t n = 0; n < values.size(); ++n) out[n] = Digitize(values[n], edges);
  return out;
}

}  // namespace lvsi::preprocessing
