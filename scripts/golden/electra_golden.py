#!/usr/bin/python3
"""Golden values for ELECTRA's replaced-token detection (objective electra), from torch's own modules.

Two encoders of bert_golden.GoldenModel (nn.Embedding, nn.LayerNorm, nn.TransformerEncoderLayer,
nn.Linear): the discriminator, and a generator generator_size times as wide that shares the
discriminator's word, position and token-type embeddings and their LayerNorm (ELECTRA's
tie_embeddings), each with its own embeddings_project. The generator's MLM head (dense, GELU,
LayerNorm, the tied decoder plus a bias) gives the masked positions' logits; the samples put at
those positions are drawn here with torch.multinomial and stored in the batch, so the engine is fed
the same corrupted input (the draw is not differentiated, as in ELECTRA). The discriminator head is
Hugging Face's ElectraDiscriminatorPredictions (dense, GELU, dense_prediction to one logit) and its
loss binary_cross_entropy_with_logits over the real tokens, label 1 where the sample differs from
the original token (the last sample is set to its original token, so that this case is covered). loss = generator MLM loss + discriminator_weight * discriminator loss, float64.

    /usr/bin/python3 scripts/golden/electra_golden.py write OUT_DIR
        writes OUT_DIR/electra/{config.json,weights.safetensors,batch.safetensors,expected.safetensors}
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bert_golden as bg  # noqa: E402

SEED = 6


def config():
    return dict(architectures=["ElectraForPreTraining"], model_type="electra", vocab_size=97, hidden_size=24,
                num_hidden_layers=2, num_attention_heads=4, intermediate_size=48, hidden_act="gelu",
                max_position_embeddings=16, type_vocab_size=2, hidden_dropout_prob=0.0,
                attention_probs_dropout_prob=0.0, layer_norm_eps=1e-12, initializer_range=0.02,
                embedding_size=16, pre_layer_norm=False, share_layers=False, objective="electra",
                position_embedding_type="absolute", generator_size=0.5, discriminator_weight=50.0)


def encoder_config(c, fraction):
    e = dict(c)
    e.update(hidden_size=round(c["hidden_size"] * fraction),
             num_attention_heads=max(1, round(c["num_attention_heads"] * fraction)),
             intermediate_size=round(c["intermediate_size"] * fraction), objective="mlm")
    return e


class Electra(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.discriminator = bg.GoldenModel(encoder_config(c, 1.0))
        self.generator = bg.GoldenModel(encoder_config(c, c["generator_size"]))
        d, g = self.discriminator, self.generator
        g.word, g.position, g.token_type, g.embedding_norm = d.word, d.position, d.token_type, d.embedding_norm
        H = c["hidden_size"]
        self.dense = nn.Linear(H, H)
        self.dense_prediction = nn.Linear(H, 1)

    def generator_logits(self, ids, types, mask, positions):
        return self.generator(ids, types, mask, positions)[0]

    def discriminator_logits(self, ids, types, mask):
        h = self.discriminator.encode(ids, types, mask)
        return self.dense_prediction(F.gelu(self.dense(h))).squeeze(-1)


def name_map(model):
    out = {}
    names = bg.layer_names(dict(pre_layer_norm=False, share_layers=False, embedding_size=1, hidden_size=1))

    def linear(hf, module):
        out[hf + ".weight"] = (module.weight, None)
        out[hf + ".bias"] = (module.bias, None)

    def encoder(root, m):
        if m.mapping is not None:
            linear(root + ".embeddings_project", m.mapping)
        H = m.c["hidden_size"]
        for i, layer in enumerate(m.layers):
            p = root + ".encoder.layer.%d." % i
            for j, part in enumerate("qkv"):
                out[p + names[part] + ".weight"] = (layer.self_attn.in_proj_weight, slice(j * H, (j + 1) * H))
                out[p + names[part] + ".bias"] = (layer.self_attn.in_proj_bias, slice(j * H, (j + 1) * H))
            linear(p + names["o"], layer.self_attn.out_proj)
            linear(p + names["norm1"], layer.norm1)
            linear(p + names["ffn1"], layer.linear1)
            linear(p + names["ffn2"], layer.linear2)
            linear(p + names["norm2"], layer.norm2)

    d, g = model.discriminator, model.generator
    out["electra.embeddings.word_embeddings.weight"] = (d.word.weight, None)
    out["electra.embeddings.position_embeddings.weight"] = (d.position.weight, None)
    out["electra.embeddings.token_type_embeddings.weight"] = (d.token_type.weight, None)
    linear("electra.embeddings.LayerNorm", d.embedding_norm)
    encoder("electra", d)
    linear("discriminator_predictions.dense", model.dense)
    linear("discriminator_predictions.dense_prediction", model.dense_prediction)
    encoder("generator.electra", g)
    linear("generator.generator_predictions.dense", g.transform)
    linear("generator.generator_predictions.LayerNorm", g.transform_norm)
    out["generator.generator_lm_head.bias"] = (g.decoder_bias, None)
    return out


def draw_weights(model, seed):
    generator = torch.Generator().manual_seed(seed)
    weights = {}
    for hf, (param, rows) in sorted(name_map(model).items()):
        shape = tuple((param if rows is None else param[rows]).shape)
        noise = torch.randn(shape, generator=generator)
        if "LayerNorm" in hf:
            weights[hf] = 1.0 + 0.1 * noise if hf.endswith(".weight") else 0.05 * noise
        elif hf.endswith("query.weight") or hf.endswith("key.weight"):
            weights[hf] = 0.2 * noise
        elif hf == "electra.embeddings.word_embeddings.weight":
            weights[hf] = 0.5 * noise  # a peaked generator distribution, so that some samples equal the original
        else:
            weights[hf] = 0.02 * noise
    return weights


def load(model, weights):
    with torch.no_grad():
        for hf, (param, rows) in name_map(model).items():
            (param if rows is None else param[rows]).copy_(weights[hf].to(param.dtype))


def run(c, weights, batch):
    torch.set_default_dtype(torch.float64)
    model = Electra(c).double()
    load(model, weights)
    ids, types, mask = batch["input_ids"].long(), batch["token_type_ids"].long(), batch["attention_mask"].long()
    positions, labels = batch["masked_positions"].long(), batch["masked_labels"].long()
    mlm_logits = model.generator_logits(ids, types, mask, positions)
    mlm_loss = F.cross_entropy(mlm_logits, labels)
    samples = batch["generator_samples"].long()
    corrupted = ids.reshape(-1).clone()
    corrupted[positions] = samples
    replaced = torch.zeros_like(corrupted)
    replaced[positions] = (samples != labels).long()
    disc_logits = model.discriminator_logits(corrupted.view_as(ids), types, mask)
    active = mask.reshape(-1) == 1
    disc_loss = F.binary_cross_entropy_with_logits(disc_logits.reshape(-1)[active], replaced[active].double())
    loss = mlm_loss + c["discriminator_weight"] * disc_loss
    loss.backward()
    expected = {"loss": loss.reshape(1), "mlm_loss": mlm_loss.reshape(1), "disc_loss": disc_loss.reshape(1),
                "mlm_logits": mlm_logits, "disc_logits": disc_logits,
                "replaced": replaced.view_as(ids).int()}
    for hf, (param, rows) in name_map(model).items():
        expected["grad." + hf] = param.grad if rows is None else param.grad[rows]
    return {k: ("I32" if k == "replaced" else "F32", v.detach() if k == "replaced" else v.detach().float())
            for k, v in expected.items()}


def write(out_dir):
    c = config()
    directory = os.path.join(out_dir, "electra")
    os.makedirs(directory, exist_ok=True)
    torch.set_default_dtype(torch.float32)
    weights = draw_weights(Electra(c), 1000 + SEED)
    batch = bg.draw_batch(c, seed=2000 + SEED)
    # the generator's samples: drawn from its own distribution (float64) with a fixed torch seed
    torch.set_default_dtype(torch.float64)
    model = Electra(c).double()
    load(model, weights)
    with torch.no_grad():
        logits = model.generator_logits(batch["input_ids"][1].long(), batch["token_type_ids"][1].long(),
                                        batch["attention_mask"][1].long(), batch["masked_positions"][1].long())
    draws = torch.multinomial(F.softmax(logits, dim=-1), 1, generator=torch.Generator().manual_seed(3000 + SEED))
    draws = draws.reshape(-1)
    # one sample is the original token, as a generator's sample often is: a masked position that is not replaced
    draws[-1] = batch["masked_labels"][1][-1]
    batch["generator_samples"] = ("I32", draws.int())
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(c, f, indent=2, sort_keys=True)
        f.write("\n")
    bg.write_safetensors(os.path.join(directory, "weights.safetensors"),
                         {k: ("F32", v) for k, v in weights.items()}, {"format": "pt"})
    bg.write_safetensors(os.path.join(directory, "batch.safetensors"), batch)
    expected = run(c, {k: v for k, v in weights.items()},
                   {k: v for k, (_, v) in batch.items()})
    bg.write_safetensors(os.path.join(directory, "expected.safetensors"), expected)
    print("%s: loss %.6f, replaced %d of %d masked" % (directory, float(expected["loss"][1]),
                                                      int(expected["replaced"][1].sum()), len(draws)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
