package org.sparkbert.engine.backend;

/**
 * The operations the model needs, forward and backward, on two arenas owned by the backend: one
 * float arena (parameters, gradients, optimiser state, activations) and one int arena (token ids,
 * masks, labels). Every tensor argument is an offset into its arena, every shape is in the
 * signature, as in llm.c; an OpenCL backend keeps both arenas on the device in one kernel instance
 * and only a batch goes in and the losses come out.
 *
 * <p>Conventions: row-major; a Linear's weight is [out, in]; forward ops overwrite their outputs;
 * backward ops ADD into every gradient they write (zero them first), which is what gradient
 * accumulation and shared layers need. A bias or optional gradient offset of -1 means "none".
 * Dropout with probability p keeps an element when {@link CounterRng#uniform}(sequence key, index) >= p
 * and scales it by 1/(1-p), where the sequence key is {@link CounterRng#sequenceKey}(key, firstSequence
 * + b) for the buffer's sequence b and index counts elements within that sequence: a sequence's mask
 * depends on its index in the global batch, not on its row in the buffer. The backward pass
 * regenerates the same mask from the same arguments.
 */
public interface Backend extends AutoCloseable {

    String name();

    int threads();

    /** Allocates both arenas (zero filled); called once before any other operation. */
    void allocate(int floats, int ints);

    // ---- moving data in and out ----
    void write(int off, float[] src, int srcOff, int n);

    void read(int off, float[] dst, int dstOff, int n);

    void writeInts(int off, int[] src, int srcOff, int n);

    void readInts(int off, int[] dst, int dstOff, int n);

    void fill(int off, int n, float value);

    void copy(int dst, int src, int n);

    // ---- matrix products ----
    /**
     * C[M,N] (+)= op(A)[M,K] op(B)[K,N]; op(A) = A^T when transA (A stored [K,M] with leading
     * dimension lda), likewise B. The three forms the model uses: NT (x W^T), NN (dY W), TN (dY^T X).
     */
    void gemm(
            boolean transA,
            boolean transB,
            int M,
            int N,
            int K,
            int a,
            int lda,
            int b,
            int ldb,
            int c,
            int ldc,
            boolean accumulate);

    /** out[M,N] = inp[M,K] w[N,K]^T + bias[N] (bias -1: none). */
    void linearForward(int out, int inp, int w, int bias, int M, int N, int K);

    /** dinp[M,K] += dout w; dw[N,K] += dout^T inp; dbias[N] += column sums of dout (dinp/dbias -1: skip). */
    void linearBackward(int dinp, int dw, int dbias, int dout, int inp, int w, int M, int N, int K);

    // ---- embeddings and row gathers ----
    /**
     * out[b,t,:] = wte[ids[b,t]] + wpe[t] + wtt[types[b,t]], C channels. ids, types: int arena. wpe -1:
     * no absolute positions (relative positions act in attention instead).
     */
    void embeddingForward(int out, int ids, int types, int wte, int wpe, int wtt, int B, int T, int C);

    /**
     * Scatter-adds dout into the three tables, each row's tokens summed in position order. dwpe -1:
     * none (no position table, or a fixed one).
     */
    void embeddingBackward(int dwte, int dwpe, int dwtt, int dout, int ids, int types, int B, int T, int C);

    /** out[i,:] = in[rows[i],:] for i < n (rows: int arena). */
    void gatherRows(int out, int in, int rows, int n, int C);

    /** din[rows[i],:] += dout[i,:]; rows must be distinct. */
    void scatterAddRows(int din, int dout, int rows, int n, int C);

    // ---- normalisation and element-wise ----
    /** LayerNorm over the last dimension; saves mean[N] and rstd[N] for the backward pass. */
    void layerNormForward(int out, int mean, int rstd, int inp, int w, int b, int N, int C, float eps);

    void layerNormBackward(int dinp, int dw, int db, int dout, int inp, int w, int mean, int rstd, int N, int C);

    /** GELU, exact erf form: 0.5 x (1 + erf(x / sqrt 2)). */
    void geluForward(int out, int inp, int n);

    void geluBackward(int dinp, int inp, int dout, int n);

    void tanhForward(int out, int inp, int n);

    /** Uses the forward OUTPUT: dinp += dout (1 - out^2). */
    void tanhBackward(int dinp, int out, int dout, int n);

    /**
     * out = dropout(inp) over n = sequences * perSequence elements, the buffer's first sequence being
     * global sequence firstSequence.
     */
    void dropoutForward(int out, int inp, int n, float p, int key, int firstSequence, int perSequence);

    void dropoutBackward(int dinp, int dout, int n, float p, int key, int firstSequence, int perSequence);

    /** out = x + dropout(y): a residual connection (masks as {@link #dropoutForward}). */
    void residualForward(int out, int x, int y, int n, float p, int key, int firstSequence, int perSequence);

    void residualBackward(int dx, int dy, int dout, int n, float p, int key, int firstSequence, int perSequence);

    // ---- attention ----
    /**
     * Multi-head self-attention from packed qkv [B,T,3C] (C = NH*D; q, k, v in that order, head h in
     * columns h*D..h*D+D of each): scores q k^T / sqrt(D), keys with mask[b,t] == 0 excluded,
     * softmax saved in att [B,NH,T,T], dropout on the probabilities saved in attDrop (att itself when
     * p == 0), out [B,T,C] = attDrop v with heads concatenated. mask: int arena [B,T]. The dropout
     * mask of sequence b is drawn as {@link #dropoutForward}'s for global sequence firstSequence + b
     * over its NH*T*T probabilities.
     */
    default void attentionForward(
            int out,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence) {
        attentionForward(out, att, attDrop, qkv, mask, B, T, NH, D, p, key, firstSequence, -1);
    }

    /**
     * As above with bias [B,NH,T,T] (-1: none) added to the raw scores before the 1/sqrt(D) scaling:
     * scores (q k^T + bias) / sqrt(D), as Hugging Face adds its relative-position scores.
     */
    void attentionForward(
            int out,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence,
            int bias);

    /** dqkv += the gradient of out with respect to qkv. */
    default void attentionBackward(
            int dqkv,
            int dout,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence) {
        attentionBackward(dqkv, dout, att, attDrop, qkv, mask, B, T, NH, D, p, key, firstSequence, -1);
    }

    /** As above, and dbias [B,NH,T,T] += the gradient with respect to the forward pass's bias (-1: none). */
    void attentionBackward(
            int dqkv,
            int dout,
            int att,
            int attDrop,
            int qkv,
            int mask,
            int B,
            int T,
            int NH,
            int D,
            float p,
            int key,
            int firstSequence,
            int dbias);

    // ---- relative positions (Shaw et al. 2018, as Hugging Face's BertSelfAttention) ----
    /**
     * The relative-position scores bias [B,NH,T,T] (overwritten) from packed qkv [B,T,3C] and a
     * distance table dist [2M-1, D] shared by the heads (M = max_position_embeddings): with
     * e = dist[l - r + M - 1], bias[b,h,l,r] = q[b,l,h] . e, plus k[b,r,h] . e when keyQuery
     * (relative_key_query). T <= M.
     */
    void relativePositionForward(int bias, int qkv, int dist, int B, int T, int NH, int D, int M, boolean keyQuery);

    /**
     * dqkv (its q and, with keyQuery, k parts) and ddist [2M-1, D] += the gradients of the bias with
     * respect to them given dbias; each distance row sums its (b, h, l) terms in that order.
     */
    void relativePositionBackward(
            int dqkv, int ddist, int dbias, int qkv, int dist, int B, int T, int NH, int D, int M, boolean keyQuery);

    // ---- loss ----
    /**
     * Softmax cross-entropy of logits [rows, V] against labels (int arena). Writes loss[rows]
     * (natural log), correct[rows] (int arena: 1 when the arg-max is the label) and
     * dlogits[rows, V] = (softmax - onehot) * gradScale (overwritten, not added).
     */
    void crossEntropy(int loss, int correct, int dlogits, int logits, int labels, int rows, int V, float gradScale);

    // ---- replaced-token detection (ELECTRA) ----
    /**
     * Draws one token per row from softmax(logits[rows, V]) by inverse CDF, for ELECTRA's generator:
     * with u = {@link CounterRng#uniform}({@link CounterRng#sequenceKey}(key, firstSequence + q / T), q % T)
     * for the row's flat position q = positions[r], the token is the first j whose running sum of
     * exp(logit - max), summed in index order, exceeds u times their total (the last token if rounding
     * leaves none). out, positions: int arena. A draw depends on its sequence's global index and its
     * position only, so it is the same however a global batch is split. Not differentiated.
     */
    void sampleTokens(int out, int logits, int positions, int rows, int V, int key, int firstSequence, int T);

    /**
     * Binary cross-entropy with logits over n tokens, for ELECTRA's discriminator: where mask[i] != 0,
     * loss[i] = softplus(z) - y z for z = logits[i] and y = labels[i] in {0, 1}, dlogits[i] =
     * (sigmoid(z) - y) gradScale (overwritten), and outcome[i] = 1 + 2 y + (z > 0 ? 1 : 0), so 1 true
     * negative, 2 false positive, 3 false negative, 4 true positive; where mask[i] == 0 (padding) all
     * three are 0. labels, mask, outcome: int arena.
     */
    void binaryCrossEntropy(
            int loss, int outcome, int dlogits, int logits, int labels, int mask, int n, float gradScale);

    // ---- optimiser and clipping ----
    /** Sum of squares of arena[off..off+n), summed in double in a fixed order. */
    double sumOfSquares(int off, int n);

    void scale(int off, int n, float factor);

    /** arena[dst + i] += alpha * arena[src + i]. */
    void axpy(int dst, int src, int n, float alpha);

    /**
     * AdamW as torch.optim.AdamW: p -= lr wd p; m, v updated; p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)
     * with bc1 = 1 - beta1^t, bc2 = 1 - beta2^t.
     */
    void adamw(
            int param,
            int grad,
            int m,
            int v,
            int n,
            float lr,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            float bc1,
            float bc2);

    /**
     * The first half of a LAMB step: updates m and v and OVERWRITES grad with the update direction
     * (m / bc1) / (sqrt(v / bc2) + eps) + wd p; the caller then applies it with the trust ratio.
     */
    void lambDirection(
            int param,
            int grad,
            int m,
            int v,
            int n,
            float beta1,
            float beta2,
            float eps,
            float weightDecay,
            float bc1,
            float bc2);

    /** torch.optim.SGD with momentum (dampening 0), optionally Nesterov; buf starts at zero. */
    void sgd(int param, int grad, int buf, int n, float lr, float momentum, boolean nesterov, float weightDecay);

    /** torch.optim.Adagrad (no lr decay, initial accumulator 0): sum += g^2; p -= lr g / (sqrt(sum) + eps). */
    void adagrad(int param, int grad, int sum, int n, float lr, float eps, float weightDecay);

    /** torch.optim.Adadelta. */
    void adadelta(
            int param, int grad, int sqAvg, int accDelta, int n, float lr, float rho, float eps, float weightDecay);

    @Override
    void close();
}
