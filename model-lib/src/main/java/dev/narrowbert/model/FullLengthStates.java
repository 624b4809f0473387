package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;

/**
 * The encoder's state at the narrowing point, between {@link NarrowEncoder#fullLength} and {@link
 * NarrowEncoder#narrow}: what a caller needs to choose the queries from the states (the entity
 * gate) before the narrow layers run.
 *
 * @param states H, the full-length states after the last full sublayer (B, L, d)
 * @param additiveMask 0 for tokens, a large negative logit for padding (B, 1, 1, L)
 */
public record FullLengthStates(NDArray states, NDArray additiveMask) {}
