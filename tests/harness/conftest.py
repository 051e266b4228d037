# The scripts in this folder measure real implementations (torchvision, Keras, timm, TF-Slim,
# MobileNeXt); they are run by hand, never by pytest.
collect_ignore_glob = ["*"]
