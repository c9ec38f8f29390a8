"""placeholder"""


def run(world, results, scale, workdir, features):
    pass
