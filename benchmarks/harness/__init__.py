"""What the benchmark scripts share: peers, processes and their resources, nginx, the report."""
