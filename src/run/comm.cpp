// Communicator and MpiSession: MPI when built with TTCG_HAVE_MPI and launched by an MPI launcher, else one process.
#include "ttcgames/run/comm.hpp"

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

#ifdef TTCG_HAVE_MPI
#include <mpi.h>
#endif

namespace ttcg {

namespace {
Communicator g_world;
bool g_mpi_active = false;
bool g_session_exists = false;

#ifdef TTCG_HAVE_MPI
void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string(what) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}
#endif
}  // namespace

bool mpi_built() {
#ifdef TTCG_HAVE_MPI
  return true;
#else
  return false;
#endif
}

int launcher_world_size() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS"}) {
    if (const char* s = std::getenv(v)) {
      if (std::string(v) == "SLURM_NTASKS" && !launched_by_mpi()) continue;  // sbatch sets it in the batch step too
      const int n = std::atoi(s);
      if (n > 0) return n;
    }
  }
  return 1;
}

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

const Communicator& Communicator::world() {
  return g_world;
}

MpiSession::MpiSession(int* argc, char*** argv, bool force) {
  if (g_session_exists) throw std::logic_error("only one MpiSession may exist");
  g_session_exists = true;
#ifdef TTCG_HAVE_MPI
  if (!(force || launched_by_mpi())) return;
  int provided = 0;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &g_world.rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &g_world.size_), "MPI_Comm_size");
  MPI_Comm node;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_world.rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  check(MPI_Comm_rank(node, &g_world.local_rank_), "MPI_Comm_rank");
  MPI_Comm_free(&node);
  active_ = g_mpi_active = true;
#else
  (void)argc, (void)argv;
  if (force) throw std::runtime_error("this ttcgames was built without MPI (TTCG_USE_MPI=OFF)");
  if (launcher_world_size() > 1)
    throw std::runtime_error("this ttcgames was built without MPI (TTCG_USE_MPI=OFF) but was started as one of " +
                             std::to_string(launcher_world_size()) +
                             " processes of an MPI launcher; every process would write the same file. Rebuild with "
                             "MPI (libopenmpi-dev) or run a single process");
#endif
}

MpiSession::~MpiSession() {
#ifdef TTCG_HAVE_MPI
  if (active_) MPI_Finalize();
#endif
  g_world = Communicator{};
  g_mpi_active = false;
  g_session_exists = false;
}

std::vector<Bytes> Communicator::gather(const Bytes& mine) const {
  if (!g_mpi_active || size_ == 1) return {mine};
#ifdef TTCG_HAVE_MPI
  // Sizes first, then the bytes; 64-bit sizes travel as MPI_UINT64_T, the data in chunks below 2^31 bytes.
  const std::uint64_t my_size = mine.size();
  std::vector<std::uint64_t> sizes(is_root() ? size_ : 0);
  check(MPI_Gather(&my_size, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Gather");
  std::vector<Bytes> all;
  constexpr std::uint64_t CHUNK = 1u << 30;
  if (is_root()) {
    all.resize(size_);
    all[0] = mine;
    for (int r = 1; r < size_; ++r) {
      all[r].resize(sizes[r]);
      for (std::uint64_t off = 0; off < sizes[r]; off += CHUNK) {
        const int n = static_cast<int>(std::min(CHUNK, sizes[r] - off));
        check(MPI_Recv(all[r].data() + off, n, MPI_BYTE, r, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
      }
    }
  } else {
    for (std::uint64_t off = 0; off < my_size; off += CHUNK) {
      const int n = static_cast<int>(std::min(CHUNK, my_size - off));
      check(MPI_Send(mine.data() + off, n, MPI_BYTE, 0, 7, MPI_COMM_WORLD), "MPI_Send");
    }
  }
  return all;
#else
  return {mine};
#endif
}

Bytes Communicator::broadcast(const Bytes& from_root) const {
  if (!g_mpi_active || size_ == 1) return from_root;
#ifdef TTCG_HAVE_MPI
  std::uint64_t n = from_root.size();
  check(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD), "MPI_Bcast");
  Bytes out = is_root() ? from_root : Bytes(n);
  constexpr std::uint64_t CHUNK = 1u << 30;
  for (std::uint64_t off = 0; off < n; off += CHUNK) {
    const int count = static_cast<int>(std::min(CHUNK, n - off));
    check(MPI_Bcast(out.data() + off, count, MPI_BYTE, 0, MPI_COMM_WORLD), "MPI_Bcast");
  }
  return out;
#else
  return from_root;
#endif
}

bool Communicator::broadcast(bool from_root) const {
  if (!g_mpi_active || size_ == 1) return from_root;
#ifdef TTCG_HAVE_MPI
  int flag = from_root ? 1 : 0;
  check(MPI_Bcast(&flag, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return flag != 0;
#else
  return from_root;
#endif
}

void Communicator::barrier() const {
#ifdef TTCG_HAVE_MPI
  if (g_mpi_active && size_ > 1) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
#endif
}

void Communicator::abort(const std::string& message, int code) const {
  std::cerr << "ttcgames: rank " << rank_ << " of " << size_ << ": " << message << std::endl;
#ifdef TTCG_HAVE_MPI
  if (g_mpi_active && size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

}  // namespace ttcg
