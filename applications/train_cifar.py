"""Train an image classifier (cnn, CIFAR ResNets, ResNet-9) and report its test accuracy.

    python applications/train_cifar.py --backend jax --model resnet20 --epochs 30
    python applications/train_cifar.py --dataset cifar10 --data-dir ~/data/cifar   # offline
    python applications/train_cifar.py --model cnn --dataset fashion_mnist \\
        --data-dir /usr/share/datasets/fashion-mnist --epochs 5
    python applications/train_cifar.py --model resnet20 --prune 0.75 --quantize int8
    python applications/train_cifar.py --model resnet20 \\
        --distill-from runs/resnet56_cifar10_tensorflow/model.keras --temperature 4 --alpha 0.1

This recipe is `zoo train image` (the same code, installed with keras-zoo): what the run
writes and how it resumes is told in `zoo.apps.image` and `zoo train image --help`.
"""

from zoo.apps.launch import launch

if __name__ == "__main__":
    launch("image", prog="train_cifar.py")
