#!/usr/bin/env python3
"""PyTorch eager baseline for `EarlyBert.Trainer bench`: the same BERT training step (forward, cross-entropy,
backward, torch.optim.AdamW step) on random data, timed the same way. Prints one JSON line.

Runs on Debian 12's python3-torch (1.13, no scaled_dot_product_attention: attention is written out as transformers'
eager BertSelfAttention does). Debian's torch links the reference BLAS by default, 30x slower on large matmuls:
install libopenblas0-openmp and run with LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp (the bench
command does this), otherwise the comparison is meaningless.

    apt-get install -y python3-torch libopenblas0-openmp
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp python3 bench_torch.py --hidden 384 --layers 6 \
        --heads 12 --intermediate 1536 --batch 16 --seq 128 --steps 10 --warmup 3 --threads 2
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, h, heads, inter):
        super().__init__()
        self.heads, self.d = heads, h // heads
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out, self.ln1 = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.ln2 = nn.Linear(h, inter), nn.Linear(inter, h), nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(0.1)

    def forward(self, x, additive_mask):
        b, s, h = x.shape
        split = lambda t: t.view(b, s, self.heads, self.d).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d) + additive_mask
        context = (self.drop(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(self.drop(self.attn_out(context)) + x)
        return self.ln2(self.drop(self.out(F.gelu(self.inter(x)))) + x)


class Bert(nn.Module):
    def __init__(self, vocab, h, layers, heads, inter, positions=512, labels=2):
        super().__init__()
        self.words, self.pos, self.types = nn.Embedding(vocab, h), nn.Embedding(positions, h), nn.Embedding(2, h)
        self.ln, self.drop = nn.LayerNorm(h, eps=1e-12), nn.Dropout(0.1)
        self.layers = nn.ModuleList(Layer(h, heads, inter) for _ in range(layers))
        self.pooler, self.classifier = nn.Linear(h, h), nn.Linear(h, labels)

    def forward(self, ids, mask, types):
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.drop(self.ln(self.words(ids) + self.types(types) + self.pos(positions)))
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.layers:
            x = layer(x, additive)
        return self.classifier(self.drop(torch.tanh(self.pooler(x[:, 0]))))


def blas_in_use():
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line}
    return sorted(libs)


def main():
    p = argparse.ArgumentParser()
    for name, default in [("vocab", 30522), ("hidden", 128), ("layers", 2), ("heads", 2), ("intermediate", 512),
                          ("batch", 32), ("seq", 128), ("steps", 10), ("warmup", 3), ("threads", 2), ("seed", 0)]:
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    model = Bert(a.vocab, a.hidden, a.layers, a.heads, a.intermediate)
    model.train()
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or ".ln" in n or n.startswith("ln")]
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or ".ln" in n or n.startswith("ln"))]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=2e-5, eps=1e-8)
    total = a.warmup + a.steps
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, (total - s) / total))
    ids = torch.randint(5, a.vocab, (a.batch, a.seq))
    mask = torch.ones(a.batch, a.seq, dtype=torch.long)
    types = torch.zeros(a.batch, a.seq, dtype=torch.long)
    labels = torch.randint(0, 2, (a.batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(ids, mask, types), labels)
        loss.backward()
        optimizer.step()
        schedule.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({"torch": torch.__version__, "blas": blas_in_use(), "threads": torch.get_num_threads(),
                      "median_step_s": median, "seq_per_s": a.batch / median}))


if __name__ == "__main__":
    main()
