"""Discriminator.forward gives the labels only as image maps, and appends zeros where the one-hot labels belong
after the features: the shapes fit, the classifier never sees the label there."""

TARGET_TASK = "3.4"


class Discriminator:
    def forward(self, images, labels=None):
        check_labels(labels, self.num_classes, "Discriminator")
        features = self.features(append_label_maps(images, labels, self.num_classes))
        if self.num_classes:
            features = F.concatenate([features, Tensor(features.data[:, :self.num_classes] * 0)], axis=1)
        if self.hidden_units:
            features = self.hidden(features)
        return self.classify(features)
