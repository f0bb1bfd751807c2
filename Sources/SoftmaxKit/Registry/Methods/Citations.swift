/// The papers the registered methods come from, cited once.
enum Citation {
    static let edgeMoE =
        "R. Sarkar, H. Liang, Z. Fan, Z. Wang, C. Hao, Edge-MoE: Memory-Efficient Multi-Task Vision Transformer Architecture with Task-level Sparsity via Mixture-of-Experts, ICCAD 2023 (arXiv 2305.18691)"
    static let puma = "Y. Dong et al., PUMA: Secure Inference of LLaMA-7B in Five Minutes, 2023 (arXiv 2307.12533)"
    static let grokking = "L. Prieto, M. Barsbey, P. Mediano, T. Birdal, Grokking at the Edge of Numerical Stability, 2025 (arXiv 2501.04697)"
    static let ibert = "S. Kim, A. Gholami, Z. Yao, M. W. Mahoney, K. Keutzer, I-BERT: Integer-only BERT Quantization, ICML 2021 (arXiv 2101.01321)"
    static let softermax = "J. R. Stevens et al., Softermax: Hardware/Software Co-Design of an Efficient Softmax for Transformers, DAC 2021 (arXiv 2103.09301)"
    static let sparsemax = "A. Martins, R. Astudillo, From Softmax to Sparsemax, ICML 2016 (arXiv 1602.02068)"
    static let entmax = "B. Peters, V. Niculae, A. Martins, Sparse Sequence-to-Sequence Models, ACL 2019 (arXiv 1905.05702)"
    static let xnnpack =
        "google/XNNPACK f32-raddstoreexpminusmax (rr2_p5) and f32-raddextexp (p5); M. Dukhan, A. Ablavatski, The Two-Pass Softmax Algorithm, 2020 (arXiv 2001.04438)"
    static let gelu = "D. Hendrycks, K. Gimpel, Gaussian Error Linear Units (GELUs), 2016 (arXiv 1606.08415)"
    static let silu =
        "S. Elfwing, E. Uchibe, K. Doya, Sigmoid-Weighted Linear Units for Neural Network Function Approximation in Reinforcement Learning, 2017 (arXiv 1702.03118)"
    static let polycom = "Z. Zhuo et al., Polynomial Composition Activations: Unleashing the Dynamics of Large Language Models, ICLR 2025 (arXiv 2411.03884)"
    static let schraudolph = "N. N. Schraudolph, A Fast, Compact Approximation of the Exponential Function, Neural Computation 11(4), 1999"
    static let bivit = SoftmaxAwareBinarizationKernel.citation
}
