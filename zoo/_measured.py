"""What zoo's quality benchmark measured, by registered model name (`ModelSpec.measured`).

Written by `benchmarks/quality.py` from `benchmarks/results/quality.csv`: do not edit by hand.
"""

MEASURED = {'cnn': [{'backend': 'tensorflow',
          'baseline': 'plain Keras CNN, Adam, no augmentation',
          'baseline_value': 90.97,
          'command': 'python applications/train_cifar.py --model cnn --dataset fashion_mnist '
                     '--data-dir /usr/share/datasets/fashion-mnist',
          'dataset': 'Fashion-MNIST',
          'date': '2026-12-02',
          'epochs': 20,
          'higher_is_better': True,
          'metric': 'test accuracy',
          'unit': '%',
          'value': 92.92},
         {'backend': 'tensorflow',
          'baseline': 'plain Keras CNN, Adam, no augmentation',
          'baseline_value': 87.9,
          'command': 'python applications/train_cifar.py --model cnn --dataset fashion_mnist '
                     '--data-dir /usr/share/datasets/fashion-mnist --epochs 1',
          'dataset': 'Fashion-MNIST',
          'date': '2026-12-02',
          'epochs': 1,
          'higher_is_better': True,
          'metric': 'test accuracy',
          'unit': '%',
          'value': 88.31}]}
