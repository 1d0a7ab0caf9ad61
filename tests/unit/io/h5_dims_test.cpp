// Tests of the HDF5 layer's dimensions (netCDF-4 dimension scales: coordinate variables and dimensions without
// coordinate values, attached when a dataset is written) and of how datasets are stored (chunks, shuffle, deflate).
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "scratch_dir.hpp"
#include "ttcgames/core/error.hpp"
#include "ttcgames/io/h5.hpp"

namespace fs = std::filesystem;
namespace h5 = ttcg::h5;

namespace {

class H5Dims : public ttcg::test::ScratchDirTest {};

using Names = std::vector<std::string>;

TEST_F(H5Dims, DatasetsCarryTheirDimensionsAndCoordinates) {
  const std::vector<double> beta{200.0, 1000.0, 1e6};
  const std::vector<std::string> providers{"a", "b"};
  const std::vector<double> shares{0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  {
    h5::File file = h5::File::create(path("dims.h5"));
    h5::Group g = file.root().create_group("market/s");
    g.write("beta", beta, {}, {"beta"}, "1/USD", "the coordinate of beta");
    g.write("providers", providers, {}, {"provider"}, "1", "names, along a dimension without coordinates");
    g.write("shares", shares, {3, 2}, {"beta", "provider"}, "1", "shares [beta, provider]");
    g.write("quantiles/x", std::vector<double>{1.0, 2.0, 3.0, 4.0}, {}, {"quantile"}, "1", "in a subgroup");
    g.write_scalar("welfare", 1.5, "USD", "0-d: no dimensions");
  }
  h5::File file = h5::File::open_read(path("dims.h5"));
  const h5::Group g = file.root().open_group("market/s");
  EXPECT_EQ(g.open_dataset("shares").dimension_names(), (Names{"beta", "provider"}));
  EXPECT_EQ(g.open_dataset("providers").dimension_names(), (Names{"provider"}));
  EXPECT_EQ(g.open_dataset("beta").dimension_names(), (Names{"beta"}));  // a coordinate is its own dimension
  EXPECT_EQ(g.open_dataset("welfare").dimension_names(), Names{});
  // The subgroup's dataset uses the dimension of the group it was written through.
  EXPECT_EQ(g.open_group("quantiles").open_dataset("x").dimension_names(), (Names{"quantile"}));
  EXPECT_TRUE(g.exists("quantile"));
  EXPECT_FALSE(g.open_group("quantiles").exists("quantile"));

  const h5::Dataset beta_scale = g.open_dataset("beta");
  EXPECT_TRUE(beta_scale.is_dimension());
  EXPECT_FALSE(beta_scale.is_dimension_without_coordinate());
  EXPECT_EQ(g.read_f64("beta", {3}), beta);  // the coordinate keeps its values
  const h5::Dataset provider = g.open_dataset("provider");
  EXPECT_TRUE(provider.is_dimension_without_coordinate());
  EXPECT_EQ(provider.dims(), (h5::Dims{2}));
  EXPECT_EQ(H5Dget_storage_size(provider.id()), 0u);  // a dimension without values stores nothing
  EXPECT_FALSE(g.open_dataset("shares").is_dimension());
  EXPECT_EQ(provider.read_attribute_string("units"), "1");
}

TEST_F(H5Dims, MismatchedDimensionsAreBugs) {
  h5::File file = h5::File::create(path("bad.h5"));
  h5::Group g = file.root();
  const std::vector<double> three{1, 2, 3};
  EXPECT_THROW(g.write("no_names", three, {}, {}, "1", "a 1-D dataset needs one name"), std::logic_error);
  EXPECT_THROW(g.write("two_names", three, {}, {"a", "b"}, "1", "one axis, two names"), std::logic_error);
  EXPECT_THROW(g.write("slash", three, {}, {"a/b"}, "1", "not a plain name"), std::logic_error);
  EXPECT_THROW(g.write("empty", three, {}, {""}, "1", "not a plain name"), std::logic_error);
  EXPECT_THROW(g.write("grid", std::vector<double>(6), {2, 3}, {"grid", "x"}, "1", "a 2-D coordinate"),
               std::logic_error);
  EXPECT_THROW(g.write("square", std::vector<double>(6), {2, 3}, {"x", "x"}, "1", "one name, two lengths"),
               std::logic_error);
  g.write("along_beta", three, {}, {"beta"}, "1", "makes beta a dimension without coordinates");
  EXPECT_THROW(g.write("longer", std::vector<double>(4), {}, {"beta"}, "1", "beta has 3 entries"), std::logic_error);
  EXPECT_THROW(g.write("beta", three, {}, {"beta"}, "1/USD", "the coordinate comes too late"), std::logic_error);
  g.write("matrix", std::vector<double>(4), {2, 2}, {"r", "c"}, "1", "a 2-D dataset");
  EXPECT_THROW(g.write("along_matrix", std::vector<double>(2), {}, {"matrix"}, "1", "matrix is 2-D"), std::logic_error);
  EXPECT_THROW(g.write("along_beta", three, {}, {"beta"}, "1", "name taken"), ttcg::InputError);
  g.write("same", std::vector<double>(4), {2, 2}, {"r", "r"}, "1", "one dimension on both axes of one length");
  EXPECT_EQ(g.open_dataset("same").dimension_names(), (Names{"r", "r"}));
}

TEST_F(H5Dims, LargeDatasetsAreChunkedWithShuffleAndDeflate) {
  const hsize_t markets = 3 * h5::LARGE_DATASET_ELEMENTS + 17, slots = 9;
  std::vector<double> values(markets);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 1.0 + 1e-3 * static_cast<double>(i % 1000);
  std::vector<std::int32_t> per_slot(markets * slots, -1);
  {
    h5::File file = h5::File::create(path("large.h5"));
    h5::Group g = file.root();
    g.write("beta", values, {}, {"market"}, "1/USD", "per market");
    g.write("providers", per_slot, {markets, slots}, {"market", "slot"}, "1", "per market and slot");
    g.write("small", std::vector<double>(h5::LARGE_DATASET_ELEMENTS), {}, {"small"}, "1", "at the threshold");
  }
  h5::File file = h5::File::open_read(path("large.h5"));
  const h5::Group g = file.root();
  const h5::Dataset::Storage one_d = g.open_dataset("beta").storage();
  EXPECT_EQ(one_d.chunk, (h5::Dims{h5::CHUNK_ELEMENTS}));
  EXPECT_TRUE(one_d.shuffle);
  EXPECT_EQ(one_d.deflate_level, static_cast<int>(h5::DEFLATE_LEVEL));
  const h5::Dataset::Storage two_d = g.open_dataset("providers").storage();
  ASSERT_EQ(two_d.chunk.size(), 2u);
  EXPECT_EQ(two_d.chunk[1], slots);  // whole rows
  EXPECT_LE(two_d.chunk[0] * two_d.chunk[1], h5::CHUNK_ELEMENTS);
  EXPECT_GT(two_d.chunk[0] * two_d.chunk[1], h5::CHUNK_ELEMENTS - slots);
  EXPECT_TRUE(two_d.shuffle);
  EXPECT_EQ(two_d.deflate_level, static_cast<int>(h5::DEFLATE_LEVEL));
  const h5::Dataset::Storage small = g.open_dataset("small").storage();
  EXPECT_TRUE(small.chunk.empty());
  EXPECT_FALSE(small.shuffle);
  EXPECT_EQ(small.deflate_level, -1);
  // The per-market dimension spans the chunked datasets; the values survive compression.
  EXPECT_EQ(g.open_dataset("providers").dimension_names(), (Names{"market", "slot"}));
  EXPECT_EQ(g.read_f64("beta", {markets}), values);
  EXPECT_LT(H5Dget_storage_size(g.open_dataset("providers").id()), per_slot.size() * sizeof(std::int32_t) / 10);
}

}  // namespace
