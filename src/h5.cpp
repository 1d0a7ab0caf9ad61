// Placeholder: the HDF5 layer is being written.
