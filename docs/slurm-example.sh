#!/bin/bash
# SPDX-FileCopyrightText: The Commonweal authors
# SPDX-License-Identifier: MIT
# Slurm job script: one large run (scenarios/england.yaml) over 4 nodes, one
# MPI rank per node and an OpenMP thread per core inside it (docs/MPI.md).
# A rank holds its share of the world (England: about 10 GiB in all,
# benchmarks/RESULTS.md) plus the small whole-area arrays, so ask for the
# memory per node, not per core, and keep to one rank per node (or per
# socket). Submit from the source tree: sbatch docs/slurm-example.sh
#SBATCH --job-name=commonweal-england
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --mem=32G
#SBATCH --time=24:00:00
#SBATCH --output=england-%j.log
set -euo pipefail

export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK
export OMP_PROC_BIND=close OMP_PLACES=cores
out=england-$SLURM_JOB_ID.h5

# A checkpoint every 13 weeks: if the job runs out of time, resubmit with
#   srun build/commonweal resume $out.ckpt
# on any number of nodes (the checkpoint does not depend on the rank count).
srun --cpu-bind=none build/commonweal run scenarios/england.yaml -o "$out" \
     --checkpoint-every 13 --timings

# A sweep instead: rank 0 hands out members and writes the file, the other
# ranks run one member each at a time on their threads (use one rank more
# than the nodes' worth of workers; rank 0 mostly sleeps):
#   srun build/commonweal sweep scenarios/sweeps/uncertainty-lhs.yaml -o lhs.h5
