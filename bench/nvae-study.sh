#!/bin/bash
# The study of docs/nvae.md: NVAE, HVAE and VAE at about 450k parameters, each trained for the same wall-clock
# budget, then scored alike. Usage: bash bench/nvae-study.sh <work dir> [budget seconds, default 420]
# Needs the Fashion-MNIST subset as IDX files in <work dir>/fmnist10k (the first 10,000 training and 1,000
# test images of /usr/share/datasets/fashion-mnist) and writes the shapes folder itself.
set -u
W=${1:?usage: bash bench/nvae-study.sh <work dir> [budget seconds]}
BUDGET=${2:-420}
V="node $(dirname "$0")/../bin/vaekit.js"
cd "$W"
[ -d shapes32 ] || node --import tsx "$(dirname "$0")/make-shapes.ts" shapes32 4000 32
COMMON="--binarize none --likelihood logistic-mixture --mixtures 3 --batch-size 64 --kl-warmup 200 --clip-norm 200 --seed 1 --epochs 1000"
F="--dataset $W/fmnist10k"
S="--dataset $W/shapes32 --image-size 32 --channels 3"
train() { # name, flags: trains for the budget; the last epoch that ended is what is scored
  local name=$1; shift
  rm -rf "runs/$name"
  timeout -s INT "$BUDGET" $V train --name "$name" --runs-dir runs "$@" $COMMON
}
train f-nvae $F --model nvae --width 48
train f-vae $F --model vae --latent-dim 20 --filters 48,96
train f-hvae $F --model hvae --groups 2 --latent-dim 16 --width 64 --filters 28,56
train s-nvae $S --model nvae --width 48
train s-vae $S --model vae --latent-dim 20 --filters 32,64,128
train s-hvae $S --model hvae --groups 2 --latent-dim 16 --width 32 --filters 32,64,128
$V train-classifier --dataset "$W/fmnist10k" -o clf/fmnist10k --seed 1
$V train-classifier --dataset "$W/shapes32" --image-size 32 --channels 3 -o clf/shapes32 --seed 1
for r in f-nvae f-hvae f-vae s-nvae s-hvae s-vae; do
  clf=clf/fmnist10k; [[ $r == s-* ]] && clf=clf/shapes32
  $V eval "runs/$r" --k 100 --iwae-k 20 --limit 200 --samples 2000 --classifier "$clf" --checkpoint latest
done
$V compare runs/f-nvae runs/f-hvae runs/f-vae --classifier clf/fmnist10k -n 2000 -k 0 -o compare-f.png
$V compare runs/s-nvae runs/s-hvae runs/s-vae --classifier clf/shapes32 -n 2000 -k 0 -o compare-s.png
