package dev.narrowbert.model;

import ai.djl.ndarray.NDArray;

/**
 * What one encoder pass produces.
 *
 * @param contextStates H, the full-length states at the {@code :} point (the final states for a
 *     stack without {@code :}), (B, L, d). Use these for mean pooling.
 * @param queryStates final states at the query positions, (B, M, d), in {@link QueryPositions}
 *     order. Use these for every head.
 */
public record EncoderOutput(NDArray contextStates, NDArray queryStates) {}
