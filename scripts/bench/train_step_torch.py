#!/usr/bin/python3
"""PyTorch CPU side of scripts/bench/train-step: one full training step (forward, backward, AdamW)
of the same model as our engine (scripts/golden/bert_golden.py's GoldenModel: torch's own
TransformerEncoderLayer, MLM head at the masked positions only), timed over several steps.

    train_step_torch.py --threads N --layers 4 --hidden 256 --heads 4 --intermediate 1024
                        --vocab 30522 --seq 128 --batch 32 --predictions 20 --dropout 0.1 --steps 10
Prints one JSON line: tokens_per_second (from the mean step time), step seconds (mean and best),
threads, torch version and the BLAS library torch calls.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden"))
import bert_golden  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    for name, default in [("threads", 2), ("layers", 4), ("hidden", 256), ("heads", 4), ("intermediate", 1024),
                          ("vocab", 30522), ("seq", 128), ("batch", 32), ("predictions", 20), ("steps", 10),
                          ("warmup", 3)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--dropout", type=float, default=0.1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    config = dict(vocab_size=a.vocab, hidden_size=a.hidden, num_hidden_layers=a.layers,
                  num_attention_heads=a.heads, intermediate_size=a.intermediate, max_position_embeddings=512,
                  type_vocab_size=2, layer_norm_eps=1e-12, hidden_dropout_prob=a.dropout, pre_layer_norm=False, embedding_size=a.hidden,
                  share_layers=False, objective="nsp")
    model = bert_golden.GoldenModel(config)
    for m in model.modules():
        if isinstance(m, (torch.nn.Linear, torch.nn.Embedding)):
            torch.nn.init.normal_(m.weight, 0.0, 0.02)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01)
    B, T = a.batch, a.seq
    ids = torch.randint(5, a.vocab, (B, T))
    types = torch.zeros(B, T, dtype=torch.long)
    types[:, T // 2:] = 1
    mask = torch.ones(B, T, dtype=torch.long)
    positions = torch.stack([torch.randperm(T - 1)[:a.predictions] + 1 for _ in range(B)])
    positions = (positions.sort(dim=1).values + torch.arange(B).unsqueeze(1) * T).reshape(-1)
    labels = torch.randint(5, a.vocab, (positions.numel(),))
    nsp = torch.randint(0, 2, (B,))
    times = []
    for step in range(a.warmup + a.steps):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        mlm_logits, nsp_logits = model(ids, types, mask, positions)
        loss = F.cross_entropy(mlm_logits, labels) + F.cross_entropy(nsp_logits, nsp)
        loss.backward()
        optimizer.step()
        if step >= a.warmup:
            times.append(time.perf_counter() - start)
    mean = statistics.mean(times)
    print(json.dumps(dict(peer="pytorch", torch=torch.__version__, threads=torch.get_num_threads(),
                          blas=blas(), steps_timed=a.steps, step_seconds_mean=mean, step_seconds_best=min(times),
                          tokens_per_second=B * T / mean)))


def blas():
    """Debian's torch calls the system libblas.so.3, which update-alternatives points at a provider."""
    link = "/etc/alternatives/libblas.so.3-x86_64-linux-gnu"
    return os.path.realpath(link) if os.path.exists(link) else "unknown"


if __name__ == "__main__":
    main()
