package org.sparkbert.tokenize.masking;

/**
 * One instance after masking: the ids to feed the model, and for each masked position (ascending) the
 * id that was there, which the masked-LM head must predict.
 *
 * @param inputIds        a copy of the input with the chosen positions replaced (mask token, random token, or kept)
 * @param maskedPositions the chosen positions, ascending
 * @param maskedLabels    the original id at each chosen position
 */
public record MaskedInstance(int[] inputIds, int[] maskedPositions, int[] maskedLabels) {}
