#!/usr/bin/python3
"""Masked-LM pretraining of the golden BERT (bert_golden.GoldenModel, torch's own modules) on the
sequences our engine trained on, with the recipe of TinyBertForTests.pretrain: BERT's 80/10/10
masking of round(0.15 n) of the non-special tokens, AdamW (weight decay 0.01), linear warm-up then
linear decay, gradient clipping at 1, dropout 0.1. It answers one question: does an independent
implementation learn faster than ours on the same data and recipe? (docs/BENCHMARKS.md, "Pretraining
vs random init on SST-2"). The masks and the order differ from ours (torch's generator), so the
curves agree in trend, not step by step.

    scripts/golden/pretrain_reference.py DUMP_DIR CHECKPOINT_DIR [--steps 600] [--batch 16] [--lr 2e-3]
                                         [--warmup 0.06] [--mask 0.15]

DUMP_DIR/pretraining.tsv is what `scripts/bench/sst2-pretraining dump=DIR` writes; CHECKPOINT_DIR
gives the configuration and vocabulary (any checkpoint of that run). Prints the mean masked-LM loss
and accuracy of every tenth of the steps, as the Java harness does.
"""
import argparse
import os
import random

import torch
import torch.nn.functional as F

from bert_golden import GoldenModel, bert_init, checkpoint_config


def masked_batch(rows, vocab_size, mask_id, pad_id, special, rate, rnd):
    T = max(len(r) for r in rows)
    ids = torch.full((len(rows), T), pad_id)
    attention = torch.zeros((len(rows), T), dtype=torch.long)
    positions, labels = [], []
    for i, row in enumerate(rows):
        row = list(row)
        candidates = [j for j, t in enumerate(row) if t not in special]
        for j in rnd.sample(candidates, max(1, round(len(candidates) * rate))):
            positions.append(i * T + j)
            labels.append(row[j])
            u = rnd.random()
            row[j] = mask_id if u < 0.8 else (rnd.randrange(vocab_size) if u < 0.9 else row[j])
        ids[i, :len(row)] = torch.tensor(row)
        attention[i, :len(row)] = 1
    return ids, attention, torch.tensor(positions), torch.tensor(labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("checkpoint")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--mask", type=float, default=0.15)
    a = ap.parse_args()
    torch.set_num_threads(2)
    config, _ = checkpoint_config(a.checkpoint)
    config["hidden_dropout_prob"] = 0.1
    with open(os.path.join(a.checkpoint, "vocab.txt")) as f:
        vocab = [line.rstrip("\n") for line in f]
    special = {i for i, t in enumerate(vocab) if t.startswith("[") and t.endswith("]")}
    with open(os.path.join(a.dump, "pretraining.tsv")) as f:
        sequences = [[int(x) for x in line.rstrip("\n").split("\t")[1].split()] for line in f]
    torch.manual_seed(5)
    rnd = random.Random(5)
    model = GoldenModel(config)
    bert_init(model)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    warm = int(a.warmup * a.steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (a.steps - s) / max(1, a.steps - warm)))
    order, sums, every = [], [0.0, 0.0, 0], max(1, a.steps // 10)
    model.train()
    for step in range(a.steps):
        if len(order) < a.batch:
            epoch = list(range(len(sequences)))
            rnd.shuffle(epoch)
            order += epoch
        rows = [sequences[order.pop()] for _ in range(a.batch)]
        ids, attention, positions, labels = masked_batch(rows, len(vocab), vocab.index("[MASK]"), vocab.index("[PAD]"),
                                                         special, a.mask, rnd)
        logits, _ = model(ids, torch.zeros_like(ids), attention, positions)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        schedule.step()
        sums[0] += loss.item()
        sums[1] += (logits.argmax(-1) == labels).float().mean().item()
        sums[2] += 1
        if (step + 1) % every == 0:
            print("STEP %d masked-LM loss %.3f accuracy %.3f (mean of the last %d steps)"
                  % (step + 1, sums[0] / sums[2], sums[1] / sums[2], sums[2]), flush=True)
            sums = [0.0, 0.0, 0]


if __name__ == "__main__":
    main()
