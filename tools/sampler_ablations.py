"""Ablations of the sampled joint entropy, for the batch-value study of tools/bench_peers.py --quality.

Each is a `DynamicJointEntropy` that samples differently, built from the library's public classes only, and
`get_batchbald_batch(..., estimator=ABLATIONS[name])` uses it:

- "ours": the library as it is (stratified over the K samples, Latin hypercube within each, fresh at every step,
  calibrated weights).
- "ours without calibration": the same outcomes, each weighted 1/M.
- "stratified only": stratified over the K samples, fresh at every step, independent uniforms within each sample,
  weights 1/M.
- "before (carried, ancestral)": the scheme before issue 15: when enumeration stops, M outcomes drawn once from the
  exact distribution, then carried forward, each extended at every step by an ancestral draw; weights 1/M.
"""
import math

import torch

from batchbald_redux.joint_entropy import DynamicJointEntropy, ExactJointEntropy, SampledJointEntropy


def stratified_outcomes(log_probs_N_K_C: torch.Tensor, M: int, generator) -> torch.Tensor:
    "`joint_probs_M_K` of M outcomes, M/K (up to one) from each p(y | w_k), labels drawn independently."
    N, K, C = log_probs_N_K_C.shape
    sizes_K = torch.full((K,), M // K, dtype=torch.long)
    sizes_K[torch.randperm(K, generator=generator)[: M % K]] += 1
    k_M = torch.repeat_interleave(torch.arange(K), sizes_K)
    log_joint_M_K = torch.zeros(M, K, dtype=torch.float64)
    for log_probs_K_C in log_probs_N_K_C.double():
        cdf_M_C = log_probs_K_C.exp().cumsum(dim=1)[k_M]
        uniform_M_1 = torch.rand(M, 1, generator=generator, dtype=torch.float64) * cdf_M_C[:, -1:]
        labels_M = torch.searchsorted(cdf_M_C, uniform_M_1, right=True)[:, 0].clamp_max(C - 1)
        log_joint_M_K += log_probs_K_C.T[labels_M]
    return log_joint_M_K.exp()


class UniformWeights(SampledJointEntropy):
    "A sampled joint entropy that weights every outcome 1/M (no calibration)."

    def weighted_outcomes(self, dtype=None, device=None) -> tuple:
        _, _, posterior_M_K = super().weighted_outcomes(dtype, device)
        M = self.log_joint_M_K.shape[0]
        log_probs_M = torch.logsumexp(self.log_joint_M_K, dim=1) - math.log(self.K)
        return torch.full((M,), 1.0 / M, dtype=torch.float64), -log_probs_M.mean(), posterior_M_K


def uniform_weights(sampled: SampledJointEntropy) -> UniformWeights:
    "The same outcomes and variables, weighted 1/M."
    bare = UniformWeights(
        sampled.joint_probs_M_K, dtype=sampled.dtype, device=sampled.device, max_memory=sampled.max_memory,
        generator=sampled.generator,
    )
    bare.log_joint_M_K, bare.num_variables, bare.variables = sampled.log_joint_M_K, sampled.num_variables, sampled.variables
    return bare


class Uncalibrated(DynamicJointEntropy):
    "Our outcomes, weighted 1/M."

    def add_variables(self, log_probs_N_K_C, M2=None):
        super().add_variables(log_probs_N_K_C, M2)
        if isinstance(self.inner, SampledJointEntropy) and not isinstance(self.inner, UniformWeights):
            self.inner = uniform_weights(self.inner)
        return self


class StratifiedOnly(DynamicJointEntropy):
    "Fresh stratified outcomes at every sampled step, without the Latin hypercube."

    def add_variables(self, log_probs_N_K_C, M2=None):
        self.__dict__.setdefault("batch", []).append(log_probs_N_K_C.detach().double().cpu())
        inner, C = self.inner, log_probs_N_K_C.shape[2]
        if isinstance(inner, ExactJointEntropy) and inner.log_joint_M_K.shape[0] * C ** log_probs_N_K_C.shape[0] <= self.M:
            return super().add_variables(log_probs_N_K_C, M2)
        self.inner = UniformWeights(
            stratified_outcomes(torch.cat(self.batch), self.M, self.generator), dtype=inner.dtype, device=inner.device,
            max_memory=inner.max_memory, generator=self.generator,
        )
        self.inner.num_variables = sum(len(v) for v in self.batch)
        return self


class CarriedAncestral(DynamicJointEntropy):
    "The scheme before issue 15: one draw from the exact distribution, carried forward by ancestral draws."

    def add_variables(self, log_probs_N_K_C, M2=None):
        inner, (N, _, C) = self.inner, log_probs_N_K_C.shape
        if isinstance(inner, ExactJointEntropy) and inner.log_joint_M_K.shape[0] * C**N <= self.M:
            return super().add_variables(log_probs_N_K_C, M2)
        if isinstance(inner, ExactJointEntropy):
            probs_M = (torch.logsumexp(inner.log_joint_M_K, dim=1) - math.log(inner.K)).exp()
            chosen = torch.multinomial(probs_M, self.M, replacement=True, generator=self.generator)
            bare = UniformWeights(
                inner.joint_probs_M_K[chosen], dtype=inner.dtype, device=inner.device, max_memory=inner.max_memory,
                generator=self.generator,
            )
            bare.num_variables, inner = inner.num_variables, bare
        self.inner = inner.add_variables(log_probs_N_K_C, self.M)  # bare outcomes: extended by ancestral draws
        return self


ABLATIONS = {  # name -> the estimator `get_batchbald_batch(..., estimator=...)` builds the batch's joint entropy with
    "ours": DynamicJointEntropy,
    "ours without calibration": Uncalibrated,
    "stratified only": StratifiedOnly,
    "before (carried, ancestral)": CarriedAncestral,
}
