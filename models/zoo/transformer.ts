/**
 * One transformer layer each, at published dimensions (hidden 768, 12 heads of 64, FFN 3072), on a [batch, seq, 768]
 * activation input (token embeddings are not part of a layer).
 *
 * Attention as the IR expresses it: Q, K, V = three dense 768→768 projections (GPT-2's fused c_attn 768→2304 has the
 * same MACs and parameters; the IR has no split), each reshaped [0, 0, 12, 64] and transposed [0, 2, 1, 3] into heads;
 * scores = matmul(Q, K, transposeB) [B, 12, S, S]; softmax; context = matmul(P, V); heads merged back (transpose,
 * reshape [0, 0, 768]); output projection.
 *  - The 1/√64 score scale is FOLDED INTO THE Q PROJECTION: the IR has no constant tensor (a `mul` only multiplies
 *    activations, and an input layer would be fed like any input), so the drawn W_Q stands for W_Q/8. No GEMM shape or
 *    parameter count changes.
 *  - GPT-2's causal mask is NOT APPLIED: the IR cannot express it (no constant or where), so the float engine runs
 *    bidirectional attention. The mask does not change any GEMM shape (the hardware computes the full S×S scores
 *    either way), so simulated cycles and MACs are those of the masked layer.
 * Parameters per layer: 4·(768² + 768) + 768·3072 + 3072 + 3072·768 + 768 + 2·2·768 = 7,087,872 (both layers).
 */
import { type ModelDocument, Net } from './net.js';

const HIDDEN = 768, HEADS = 12, FFN = 3072;
const HEAD_DIM = HIDDEN / HEADS;

/** Self-attention on `x`; returns the name of the output projection's layer. */
function attention(net: Net, x: string, dropout: number): string {
  const heads = (name: string) => {
    net.add(name, 'dense', { units: HIDDEN }, [x]);
    net.add(`${name}.heads`, 'reshape', { shape: [0, 0, HEADS, HEAD_DIM] });
    return net.add(`${name}.t`, 'transpose', { perm: [0, 2, 1, 3] });
  };
  const q = heads('attn.q'); // W_Q carries the 1/√d scale (see above)
  const k = heads('attn.k');
  const v = heads('attn.v');
  net.add('attn.scores', 'matmul', { transposeB: true }, [q, k]);
  net.add('attn.probs', 'softmax', { axis: -1 });
  if (dropout > 0) net.add('attn.drop', 'dropout', { p: dropout });
  net.add('attn.context', 'matmul', {}, [net.last, v]);
  net.add('attn.merge', 'transpose', { perm: [0, 2, 1, 3] });
  net.add('attn.merged', 'reshape', { shape: [0, 0, HIDDEN] });
  return net.add('attn.out', 'dense', { units: HIDDEN });
}

/**
 * A BERT-base encoder layer (Devlin et al., "BERT: pre-training of deep bidirectional transformers", NAACL 2019),
 * post-LN: LN(x + Attn(x)), then LN(h + FFN(h)) with FFN = dense 3072 → GELU (exact) → dense 768; dropout 0.1 after
 * the attention probabilities and each sub-layer's projection, as BERT (identity in eval mode).
 */
export function bertBaseLayer({ batch, seq }: { batch: number; seq: number }): ModelDocument {
  const net = new Net();
  const x = net.input('hidden', [batch, seq, HIDDEN]);
  attention(net, x, 0.1);
  net.add('attn.out.drop', 'dropout', { p: 0.1 });
  net.add('attn.residual', 'add', {}, [net.last, x]);
  const h = net.add('attn.ln', 'layerNorm', { eps: 1e-12 });
  net.add('ffn.fc1', 'dense', { units: FFN });
  net.add('ffn.gelu', 'gelu', { approximate: 'none' });
  net.add('ffn.fc2', 'dense', { units: HIDDEN });
  net.add('ffn.drop', 'dropout', { p: 0.1 });
  net.add('ffn.residual', 'add', {}, [net.last, h]);
  net.add('ffn.ln', 'layerNorm', { eps: 1e-12 });
  return net.doc('bert-base-layer', `BERT-base encoder layer (Devlin et al. 2019), seq ${seq}; 1/√d folded into W_Q`, { init: 'normal', initStd: 0.02 });
}

/**
 * A GPT-2 small decoder layer (Radford et al., "Language models are unsupervised multitask learners", 2019), pre-LN:
 * h = x + Attn(LN(x)), y = h + MLP(LN(h)) with MLP = dense 3072 → GELU (tanh approximation, GPT-2's gelu_new) →
 * dense 768. The causal mask is not applied (see above); dropout omitted (identity in eval).
 */
export function gpt2SmallLayer({ batch, seq }: { batch: number; seq: number }): ModelDocument {
  const net = new Net();
  const x = net.input('hidden', [batch, seq, HIDDEN]);
  const ln1 = net.add('ln_1', 'layerNorm');
  attention(net, ln1, 0);
  const h = net.add('attn.residual', 'add', {}, [net.last, x]);
  net.add('ln_2', 'layerNorm');
  net.add('mlp.fc', 'dense', { units: FFN });
  net.add('mlp.gelu', 'gelu', { approximate: 'tanh' });
  net.add('mlp.proj', 'dense', { units: HIDDEN });
  net.add('mlp.residual', 'add', {}, [net.last, h]);
  return net.doc('gpt2-small-layer', `GPT-2 small decoder layer (Radford et al. 2019), pre-LN, seq ${seq}; causal mask not applied, 1/√d folded into W_Q`, { init: 'normal', initStd: 0.02 });
}
