"""Running an edition: kernels, papermill, per-country jobs, run keys and steps, the release step."""
